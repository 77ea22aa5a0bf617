import Foundation
import Infra

/// ISO-8601 UTC timestamps with milliseconds, as every API field and event carries them.
///
/// Written digit by digit: every webhook stamps its live events, and Foundation's format style took a dozen
/// allocations per stamp. The format is `Date.ISO8601FormatStyle(includingFractionalSeconds: true)`'s (years
/// 0000–9999), with the instant rounded to the nearest millisecond (Foundation truncates a binary fraction, so an
/// instant of whole milliseconds can come out one millisecond early there).
enum ISO8601 {
    /// Now, e.g. `2026-11-25T22:51:39.123Z`.
    static func now() -> String {
        string(Date())
    }

    /// `date` in the same format.
    static func string(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (days, millisecondOfDay) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (day, millisecond) =
            millisecondOfDay < 0 ? (days - 1, millisecondOfDay + 86_400_000) : (days, millisecondOfDay)
        let (year, month, dayOfMonth) = CivilCalendar.date(fromDays: day)
        return String(unsafeUninitializedCapacity: 24) { text in
            var count = 0
            func append(_ value: Int64, digits: Int) {
                var divisor: Int64 = 1
                for _ in 1..<digits { divisor *= 10 }
                while divisor > 0 {
                    text[count] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / divisor % 10)
                    count += 1
                    divisor /= 10
                }
            }
            func append(_ character: Unicode.Scalar) {
                text[count] = UInt8(ascii: character)
                count += 1
            }
            append(year, digits: 4)
            append("-")
            append(month, digits: 2)
            append("-")
            append(dayOfMonth, digits: 2)
            append("T")
            append(millisecond / 3_600_000, digits: 2)
            append(":")
            append(millisecond / 60_000 % 60, digits: 2)
            append(":")
            append(millisecond / 1000 % 60, digits: 2)
            append(".")
            append(millisecond % 1000, digits: 3)
            append("Z")
            return count
        }
    }
}

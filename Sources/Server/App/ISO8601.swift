import Foundation

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
        let (year, month, dayOfMonth) = civilDate(daysSinceEpoch: day)
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

    /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

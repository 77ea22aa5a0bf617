import Foundation

/// Fast, allocation-light conversion between `Date` and PostgreSQL's ISO text timestamps, without Foundation
/// formatters. Sessions run with `TimeZone=UTC` and `DateStyle=ISO`, so the server writes
/// `2024-05-06 07:08:09.123456+00`.
enum PGTimestamp {
    /// `YYYY-MM-DD HH:MM:SS.ffffff+00` in UTC, microsecond precision (PostgreSQL's own).
    static func format(_ date: Date) -> String {
        let totalMicros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = totalMicros / 1_000_000
        var micros = totalMicros % 1_000_000
        if micros < 0 {
            micros += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        var text = ""
        text.reserveCapacity(32)
        append(&text, year, width: 4)
        text += "-"
        append(&text, month, width: 2)
        text += "-"
        append(&text, day, width: 2)
        text += " "
        append(&text, secondOfDay / 3600, width: 2)
        text += ":"
        append(&text, secondOfDay / 60 % 60, width: 2)
        text += ":"
        append(&text, secondOfDay % 60, width: 2)
        text += "."
        append(&text, micros, width: 6)
        text += "+00"
        return text
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]]` (timestamptz, or timestamp read as UTC).
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Date? {
        var index = 0
        func number(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<count {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
                index += 1
            }
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == character else { return false }
            index += 1
            return true
        }
        // Years beyond 9999 or BC dates are not produced by this application; refuse rather than misread them.
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")),
            let day = number(2), expect(UInt8(ascii: " ")) || expect(UInt8(ascii: "T")),
            let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2), expect(UInt8(ascii: ":")),
            let second = number(2)
        else { return nil }
        var micros: Int64 = 0
        if expect(UInt8(ascii: ".")) {
            var digits = 0
            while index < bytes.count, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10 {
                if digits < 6 { micros = micros * 10 + Int64(digit) }
                digits += 1
                index += 1
            }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offsetSeconds: Int64 = 0
        if index < bytes.count {
            let sign: Int64
            if expect(UInt8(ascii: "+")) {
                sign = 1
            } else if expect(UInt8(ascii: "-")) {
                sign = -1
            } else {
                return nil
            }
            guard let offsetHours = number(2) else { return nil }
            var offset = offsetHours * 3600
            if expect(UInt8(ascii: ":")) {
                guard let offsetMinutes = number(2) else { return nil }
                offset += offsetMinutes * 60
                if expect(UInt8(ascii: ":")) {
                    guard let offsetSecondsPart = number(2) else { return nil }
                    offset += offsetSecondsPart
                }
            }
            offsetSeconds = sign * offset
        }
        guard index == bytes.count else { return nil }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    private static func append(_ text: inout String, _ value: Int64, width: Int) {
        let digits = String(value)
        if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
        text += digits
    }
}

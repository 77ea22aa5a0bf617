/// Twilio's API dates (RFC 2822 in GMT, e.g. `Thu, 24 Aug 2023 05:01:45 +0000`), to and from seconds since 1970.
public enum TwilioDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Formats `seconds` since 1970 as Twilio does.
    public static func format(seconds: Int64) -> String {
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - day * 86_400
        let (year, month, date) = civil(fromDays: day)
        let weekday = weekdays[Int(((day % 7) + 7) % 7)]
        return "\(weekday), \(two(date)) \(months[month - 1]) \(year) \(two(time / 3600)):\(two(time / 60 % 60)):"
            + "\(two(time % 60)) +0000"
    }

    /// Seconds since 1970 of an RFC 2822 date with a numeric zone (`+0000`, `-0500`); nil when malformed.
    public static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, let date = Int64(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])),
            let year = Int64(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":")
        let zone = parts[5]
        guard clock.count == 3, let hour = Int64(clock[0]), let minute = Int64(clock[1]), let second = Int64(clock[2]),
            zone.count == 5, let sign = zone.first, sign == "+" || sign == "-", let offset = Int64(zone.dropFirst())
        else { return nil }
        let zoneSeconds = (offset / 100 * 3600 + offset % 100 * 60) * (sign == "-" ? -1 : 1)
        let days = Self.days(year: year, month: Int64(monthIndex + 1), day: date)
        return days * 86_400 + hour * 3600 + minute * 60 + second - zoneSeconds
    }

    /// `YYYY-MM-DD` of `seconds` since 1970 (UTC), as the list filter `DateSent` takes it.
    public static func day(seconds: Int64) -> String {
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (year, month, date) = civil(fromDays: day)
        return "\(year)-\(two(Int64(month)))-\(two(date))"
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), Int(month), day)
    }

    private static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

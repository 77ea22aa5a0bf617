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

    /// Days since 1970-01-01 of a civil date.
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        CivilCalendar.days(year: year, month: month, day: day)
    }

    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int64) {
        let date = CivilCalendar.date(fromDays: days)
        return (date.year, Int(date.month), date.day)
    }

    private static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

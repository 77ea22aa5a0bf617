import Foundation

/// The parts of one dashboard event frame the fan-out scenario reads (docs/dashboard.md: `{"type", "restaurantId",
/// "at", "data"}`), found by scanning the text rather than decoding it: ten thousand sockets hear tens of thousands
/// of frames a second, beside the server, on the same two cores.
struct DashboardFrame: Equatable, Sendable {
    /// `message.received`, `conversation.updated`, …
    var type: String
    /// The restaurant the event belongs to.
    var restaurantId: String
    /// When the server published it (its `at`, seconds since 1970; nil when unreadable).
    var publishedAt: Double?
    /// The `MessageSid` of a `message.received` event (`data.sid`).
    var sid: String?

    /// Reads a frame's text; nil when it is not an event envelope.
    init?(_ text: String) {
        guard let type = Self.string(after: "\"type\":\"", in: text),
            let restaurantId = Self.string(after: "\"restaurantId\":\"", in: text)
        else { return nil }
        self.type = type
        self.restaurantId = restaurantId
        publishedAt = Self.string(after: "\"at\":\"", in: text).flatMap(Self.epochSeconds)
        sid = type == "message.received" ? Self.string(after: "\"sid\":\"", in: text) : nil
    }

    /// The JSON string value that follows `key` (values without escapes: ids, timestamps, sids).
    private static func string(after key: String, in text: String) -> String? {
        guard let start = text.range(of: key)?.upperBound,
            let end = text[start...].firstIndex(of: "\"")
        else { return nil }
        return String(text[start..<end])
    }

    /// `2026-12-01T21:05:03.123Z` (UTC, the server's `at`) as seconds since 1970.
    static func epochSeconds(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes.last == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var fraction = 0.0
        if bytes[19] == UInt8(ascii: "."), let digits = number(20..<(bytes.count - 1)) {
            fraction = Double(digits) / pow(10, Double(bytes.count - 21))
        }
        return Double(Self.days(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second)
            + fraction
    }

    /// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
    private static func days(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

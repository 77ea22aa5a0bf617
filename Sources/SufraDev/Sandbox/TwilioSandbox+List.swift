import Foundation
import Hummingbird
import Infra

/// `GET /2010-04-01/Accounts/{sid}/Messages.json`: Twilio's Messages list over the sandbox's record, newest first,
/// in Twilio's JSON shape (`messages`, `next_page_uri`, `page`, `page_size`, …; each message with `sid`, `to`,
/// `from`, `body`, `status`, `date_created`, `date_sent` in RFC 2822). Filters: `To`, `From`, `DateSent`
/// (`YYYY-MM-DD`), `DateSent<` and `DateSent>` (on or before / after a day or an ISO 8601 time); paging with
/// `PageSize` (50 by default, at most 1000) and `Page`.
extension TwilioSandbox {
    func listMessages(_ request: Request, account: String) throws -> Response {
        let token = Self.basicAuthPassword(request.headers[.authorization], user: account)
        let known = ledger.withLock { $0.accounts[account] }
        guard let known, let token, known == token else {
            return Self.error(.unauthorized, code: 20003, message: "Authenticate")
        }
        // Decoded names too: `DateSent<` arrives as `DateSent%3C`.
        let pairs = FormURLEncoding.decode(Array((request.uri.query ?? "").utf8)) ?? []
        let query = SandboxQuery(pairs: pairs)
        let pageSize = min(max(Int(query.get("PageSize") ?? "") ?? 50, 1), 1000)
        let page = max(Int(query.get("Page") ?? "") ?? 0, 0)
        let filter = SandboxListFilter(
            to: query.get("To"), from: query.get("From"), onDay: query.get("DateSent"),
            before: query.get("DateSent<"), after: query.get("DateSent>"))
        let matching = ledger.withLock { ledger in
            ledger.messages.reversed().filter { $0.accountSid == account && filter.admits($0) }
        }
        let slice = Array(matching.dropFirst(page * pageSize).prefix(pageSize))
        let base = "/2010-04-01/Accounts/\(account)/Messages.json"
        func uri(page: Int) -> String {
            var pairs = [("PageSize", String(pageSize)), ("Page", String(page))]
            for name in ["To", "From", "DateSent", "DateSent<", "DateSent>"] {
                if let value = query.get(name) { pairs.append((name, value)) }
            }
            return base + "?" + FormURLEncoding.encode(pairs.map { (name: $0.0, value: $0.1) })
        }
        let hasNext = matching.count > (page + 1) * pageSize
        let body = SandboxMessageList(
            messages: slice.map { SandboxListedMessage($0) }, end: page * pageSize + max(slice.count - 1, 0),
            first_page_uri: uri(page: 0), next_page_uri: hasNext ? uri(page: page + 1) : nil, page: page,
            page_size: pageSize, previous_page_uri: page > 0 ? uri(page: page - 1) : nil, start: page * pageSize,
            uri: uri(page: page))
        return Self.json(.ok, try JSONEncoder().encode(body))
    }
}

/// A decoded query string.
struct SandboxQuery {
    var pairs: [(name: String, value: String)]

    func get(_ name: String) -> String? { pairs.last { $0.name == name }?.value }
}

/// The list filters, as Twilio reads them (dates in UTC).
struct SandboxListFilter {
    var to: String?
    var from: String?
    var onDay: String?
    var before: String?
    var after: String?

    func admits(_ message: SandboxMessage) -> Bool {
        if let to, message.to != to { return false }
        if let from, message.from != from { return false }
        let day = TwilioDate.day(seconds: message.createdAt)
        if let onDay, day != onDay { return false }
        if let before, let bound = Self.bound(before), message.createdAt > bound.end { return false }
        if let after, let bound = Self.bound(after), message.createdAt < bound.start { return false }
        return true
    }

    /// `YYYY-MM-DD` (the whole day) or an ISO 8601 time with `Z` (that second).
    static func bound(_ text: String) -> (start: Int64, end: Int64)? {
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2])
        else { return nil }
        let start = TwilioDate.days(year: year, month: month, day: day) * 86_400
        guard text.count > 10 else { return (start, start + 86_399) }
        let clock = text.dropFirst(11).prefix(8).split(separator: ":")
        guard clock.count == 3, let hour = Int64(clock[0]), let minute = Int64(clock[1]),
            let second = Int64(clock[2])
        else { return nil }
        let time = start + hour * 3600 + minute * 60 + second
        return (time, time)
    }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
/// Twilio's list page.
struct SandboxMessageList: Codable {
    var messages: [SandboxListedMessage]
    var end: Int
    var first_page_uri: String
    var next_page_uri: String?
    var page: Int
    var page_size: Int
    var previous_page_uri: String?
    var start: Int
    var uri: String

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(messages, forKey: .messages)
        try container.encode(end, forKey: .end)
        try container.encode(first_page_uri, forKey: .first_page_uri)
        try container.encode(next_page_uri, forKey: .next_page_uri)
        try container.encode(page, forKey: .page)
        try container.encode(page_size, forKey: .page_size)
        try container.encode(previous_page_uri, forKey: .previous_page_uri)
        try container.encode(start, forKey: .start)
        try container.encode(uri, forKey: .uri)
    }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
/// One message of the list, with Twilio's field names.
struct SandboxListedMessage: Codable {
    var sid: String
    var account_sid: String
    var to: String
    var from: String
    var body: String
    var status: String
    var direction: String
    var num_segments: String
    var api_version: String
    var date_created: String
    var date_sent: String
    var date_updated: String
    var uri: String

    init(_ message: SandboxMessage) {
        let date = TwilioDate.format(seconds: message.createdAt)
        sid = message.sid
        account_sid = message.accountSid
        to = message.to
        from = message.from
        body = message.body ?? ""
        status = "sent"
        direction = "outbound-api"
        num_segments = "1"
        api_version = "2010-04-01"
        date_created = date
        date_sent = date
        date_updated = date
        uri = "/2010-04-01/Accounts/\(message.accountSid)/Messages/\(message.sid).json"
    }
}

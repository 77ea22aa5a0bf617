/// A message as the dashboard shows it (CONTRACT.md §9).
public struct MessageRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var conversationId: String
    /// `inbound` or `outbound`.
    public var direction: String
    public var body: String?
    public var contentSid: String?
    /// Twilio's `MessageSid` (inbound) or `SM…` sid once sent (outbound).
    public var sid: String?
    /// Inbound `received`; outbound `queued`, `sending`, `sent`, `delivered`, `read`, `failed`, `dead`, …
    public var status: String
    public var errorCode: String?
    public var attempts: Int
    public var createdAt: String

    /// Encodes every field, `null` included.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(conversationId, forKey: .conversationId)
        try container.encode(direction, forKey: .direction)
        try container.encode(body, forKey: .body)
        try container.encode(contentSid, forKey: .contentSid)
        try container.encode(sid, forKey: .sid)
        try container.encode(status, forKey: .status)
        try container.encode(errorCode, forKey: .errorCode)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(createdAt, forKey: .createdAt)
    }

    private enum CodingKeys: String, CodingKey {
        case id, conversationId, direction, body, contentSid, sid, status, errorCode, attempts, createdAt
    }
}

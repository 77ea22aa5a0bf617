/// A message as the APIs and live events show it (docs/http-api.md message object; `lastError` explains dead letters).
public struct MessageRecord: Sendable, Codable, Equatable {
    public var id: String
    public var conversationId: String
    public var direction: String
    public var body: String?
    public var contentSid: String?
    public var sid: String?
    public var status: String
    public var errorCode: String?
    public var attempts: Int
    public var lastError: String?
    public var createdAt: String

    /// Creates a message object.
    public init(
        id: String, conversationId: String, direction: String = "outbound", body: String?, contentSid: String?,
        sid: String?, status: String, errorCode: String?, attempts: Int, lastError: String?, createdAt: String
    ) {
        self.id = id
        self.conversationId = conversationId
        self.direction = direction
        self.body = body
        self.contentSid = contentSid
        self.sid = sid
        self.status = status
        self.errorCode = errorCode
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
    }

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
        try container.encode(lastError, forKey: .lastError)
        try container.encode(createdAt, forKey: .createdAt)
    }

    /// The object as JSON text for event payloads: hand-built into one string (no encoder, no piece joined with
    /// `+`: the receipts' `message.status` events build one per delivery receipt).
    public var json: String {
        var out = "{\"id\":"
        out.reserveCapacity(320)
        JSONText.appendQuoted(id, to: &out)
        Self.append(",\"conversationId\":", conversationId, to: &out)
        Self.append(",\"direction\":", direction, to: &out)
        Self.append(",\"body\":", body, to: &out)
        Self.append(",\"contentSid\":", contentSid, to: &out)
        Self.append(",\"sid\":", sid, to: &out)
        Self.append(",\"status\":", status, to: &out)
        Self.append(",\"errorCode\":", errorCode, to: &out)
        out += ",\"attempts\":"
        out += String(attempts)
        Self.append(",\"lastError\":", lastError, to: &out)
        Self.append(",\"createdAt\":", createdAt, to: &out)
        out += "}"
        return out
    }

    private static func append(_ key: String, _ value: String?, to out: inout String) {
        out += key
        if let value { JSONText.appendQuoted(value, to: &out) } else { out += "null" }
    }
}

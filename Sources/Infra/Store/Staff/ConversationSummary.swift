/// A conversation as the dashboard lists it (docs/http-api.md).
public struct ConversationSummary: Sendable, Encodable, Equatable {
    public var id: String
    /// `whatsapp:+…`.
    public var customer: String
    public var profileName: String?
    /// `ar`, `en`, or nil until the customer wrote letters.
    public var language: String?
    public var lastMessageAt: String
    public var unreadCount: Int
    public var createdAt: String
    /// In `human` mode: until when staff answer (each staff message pushes it back); nil in `bot` mode.
    public var humanUntil: String?
    /// The customer chose "talk to us" and no one has taken the conversation over yet.
    public var needsHuman: Bool
    /// Who answers the customer: `bot`, or `human` after staff took the conversation over.
    public var mode: String { humanUntil == nil ? "bot" : "human" }

    /// Encodes every field, `null` included.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(customer, forKey: .customer)
        try container.encode(profileName, forKey: .profileName)
        try container.encode(language, forKey: .language)
        try container.encode(lastMessageAt, forKey: .lastMessageAt)
        try container.encode(unreadCount, forKey: .unreadCount)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(mode, forKey: .mode)
        try container.encode(needsHuman, forKey: .needsHuman)
        try container.encode(humanUntil, forKey: .humanUntil)
    }

    private enum CodingKeys: String, CodingKey {
        case id, customer, profileName, language, lastMessageAt, unreadCount, createdAt, mode, needsHuman, humanUntil
    }
}

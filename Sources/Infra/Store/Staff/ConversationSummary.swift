/// A conversation as the dashboard lists it (CONTRACT.md §9).
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
    }

    private enum CodingKeys: String, CodingKey {
        case id, customer, profileName, language, lastMessageAt, unreadCount, createdAt
    }
}

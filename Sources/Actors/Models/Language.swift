/// The language of a conversation and of the bot's replies.
///
/// Raw values are the API's codes (docs/http-api.md; `restaurants.language`, `conversations.language`).
public enum Language: String, Sendable, Hashable, Codable, CaseIterable {
    /// Arabic, the default for restaurants.
    case ar
    /// English.
    case en

    /// The other language (the one a switch would move to).
    public var other: Language {
        switch self {
        case .ar: .en
        case .en: .ar
        }
    }
}

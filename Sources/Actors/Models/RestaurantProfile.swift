/// What the bot needs to know about a restaurant: its name, default language and the two optional extras.
public struct RestaurantProfile: Sendable, Hashable, Codable {
    /// The restaurant id (uuid text).
    public var id: String
    /// The display name used in the welcome and the promo.
    public var name: String
    /// The default reply language until a customer's message sets the conversation's.
    public var language: Language
    /// Shown on "talk to us" and to unhappy customers (phone, e-mail…), if any.
    public var supportContact: String?
    /// The Twilio Content SID of the promo template sent after a good rating, if any.
    public var promoContentSid: String?

    /// Creates a profile.
    public init(
        id: String, name: String, language: Language = .ar, supportContact: String? = nil,
        promoContentSid: String? = nil
    ) {
        self.id = id
        self.name = name
        self.language = language
        self.supportContact = supportContact
        self.promoContentSid = promoContentSid
    }
}

import Foundation

/// A restaurant as the admin API shows it (docs/http-api.md): never the auth token.
public struct RestaurantRecord: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var whatsappFrom: String
    public var twilioAccountSid: String
    public var inboundPerMinute: Int
    public var sendPerMinute: Int
    public var language: String
    public var supportContact: String?
    public var promoContentSid: String?
    public var status: String
    public var statusReason: String?
    public var createdAt: String

    /// Encodes every field, `null` included, so clients see the whole shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(whatsappFrom, forKey: .whatsappFrom)
        try container.encode(twilioAccountSid, forKey: .twilioAccountSid)
        try container.encode(inboundPerMinute, forKey: .inboundPerMinute)
        try container.encode(sendPerMinute, forKey: .sendPerMinute)
        try container.encode(language, forKey: .language)
        try container.encode(supportContact, forKey: .supportContact)
        try container.encode(promoContentSid, forKey: .promoContentSid)
        try container.encode(status, forKey: .status)
        try container.encode(statusReason, forKey: .statusReason)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

/// A menu item as the APIs show it: `{ id, name: { ar, en }, price, available }`.
public struct MenuItemRecord: Sendable, Codable, Equatable {
    /// Names in both languages.
    public struct Names: Sendable, Codable, Equatable {
        public var ar: String
        public var en: String

        /// Creates names.
        public init(ar: String, en: String) {
            self.ar = ar
            self.en = en
        }
    }

    /// Assigned by the server; an item sent with an id keeps it.
    public var id: String?
    public var name: Names
    /// Minor units.
    public var price: Int64
    public var available: Bool

    /// Creates an item.
    public init(id: String?, name: Names, price: Int64, available: Bool = true) {
        self.id = id
        self.name = name
        self.price = price
        self.available = available
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, price, available
    }

    /// `available` defaults to true when absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        name = try container.decode(Names.self, forKey: .name)
        price = try container.decode(Int64.self, forKey: .price)
        available = try container.decodeIfPresent(Bool.self, forKey: .available) ?? true
    }
}

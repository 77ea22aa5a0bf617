import Actors

/// An order as the dashboard shows it (docs/http-api.md), with its lines.
public struct OrderRecord: Sendable, Encodable, Equatable {
    /// One line of an order.
    public struct Item: Sendable, Codable, Equatable {
        public var menuItemId: String?
        public var name: String
        public var quantity: Int
        public var unitPrice: Int64
        public var lineTotal: Int64

        /// Encodes every field, `null` included.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(menuItemId, forKey: .menuItemId)
            try container.encode(name, forKey: .name)
            try container.encode(quantity, forKey: .quantity)
            try container.encode(unitPrice, forKey: .unitPrice)
            try container.encode(lineTotal, forKey: .lineTotal)
        }

        private enum CodingKeys: String, CodingKey {
            case menuItemId, name, quantity, unitPrice, lineTotal
        }
    }

    public var id: String
    /// Per-restaurant number from 1; nil while `DRAFT`.
    public var number: Int?
    public var conversationId: String
    public var customer: String
    /// The customer's WhatsApp profile name, when Twilio sent one (what staff call them by).
    public var profileName: String?
    /// `delivery` or `pickup`.
    public var type: String
    public var status: String
    public var items: [Item]
    /// Minor units.
    public var total: Int64
    public var location: Location?
    public var rating: Int?
    public var createdAt: String
    public var updatedAt: String

    /// Encodes every field, `null` included.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(number, forKey: .number)
        try container.encode(conversationId, forKey: .conversationId)
        try container.encode(customer, forKey: .customer)
        try container.encode(profileName, forKey: .profileName)
        try container.encode(type, forKey: .type)
        try container.encode(status, forKey: .status)
        try container.encode(items, forKey: .items)
        try container.encode(total, forKey: .total)
        try container.encode(location, forKey: .location)
        try container.encode(rating, forKey: .rating)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    private enum CodingKeys: String, CodingKey {
        case id, number, conversationId, customer, profileName, type, status, items, total, location, rating
        case createdAt, updatedAt
    }
}

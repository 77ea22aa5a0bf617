/// The stored form: `{"v":1,"step":"ordering","type":"pickup","cart":[…]}`, `{"v":1,"step":"awaitingRating",
/// "orderId":"…"}`, or `{"v":1,"step":"idle"}`.
///
/// Decoding never fails: `{}`, `null`, unknown steps, a `v` other than 1 (a missing `v` reads as 1), missing fields or a cart that
/// breaks ``Cart``'s invariants all decode to ``BotState/initial``. Add a step by adding a case here; change a
/// step's fields by bumping ``BotState/encodingVersion`` and reading both shapes.
extension BotState: Codable {
    /// The version written into every encoded state.
    public static let encodingVersion = 1

    private enum Key: String, CodingKey {
        case version = "v"
        case step
        case type
        case cart
        case orderId
    }

    private enum Step: String, Codable {
        case idle, mainMenu, choosingType, awaitingLocation, ordering, reviewing, withStaff, awaitingRating
    }

    /// Decodes a stored state; anything unreadable gives ``BotState/initial``.
    public init(from decoder: any Decoder) throws {
        self = Self.decoded(from: decoder) ?? .initial
    }

    static func decoded(from decoder: any Decoder) -> BotState? {
        guard let container = try? decoder.container(keyedBy: Key.self),
            ((try? container.decodeIfPresent(Int.self, forKey: .version)) ?? encodingVersion) == encodingVersion,
            let step = try? container.decode(Step.self, forKey: .step)
        else { return nil }
        switch step {
        case .idle: return .idle
        case .mainMenu: return .mainMenu
        case .choosingType: return .choosingType
        case .awaitingLocation: return .awaitingLocation
        case .withStaff: return .withStaff
        case .ordering, .reviewing:
            guard let type = try? container.decode(OrderType.self, forKey: .type),
                let cart = try? container.decode(Cart.self, forKey: .cart)
            else { return nil }
            return step == .ordering ? .ordering(type: type, cart: cart) : .reviewing(type: type, cart: cart)
        case .awaitingRating:
            guard let orderId = try? container.decode(String.self, forKey: .orderId), !orderId.isEmpty else {
                return nil
            }
            return .awaitingRating(orderId: orderId)
        }
    }

    /// The step a state is stored as.
    private var step: Step {
        switch self {
        case .idle: .idle
        case .mainMenu: .mainMenu
        case .choosingType: .choosingType
        case .awaitingLocation: .awaitingLocation
        case .withStaff: .withStaff
        case .ordering: .ordering
        case .reviewing: .reviewing
        case .awaitingRating: .awaitingRating
        }
    }

    /// Encodes the state with its version.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(Self.encodingVersion, forKey: .version)
        try container.encode(step, forKey: .step)
        switch self {
        case .idle, .mainMenu, .choosingType, .awaitingLocation, .withStaff: break
        case .ordering(let type, let cart), .reviewing(let type, let cart):
            try container.encode(type, forKey: .type)
            try container.encode(cart, forKey: .cart)
        case .awaitingRating(let orderId):
            try container.encode(orderId, forKey: .orderId)
        }
    }

    /// The stored form written directly: the same keys and values as ``encode(to:)`` through `JSONEncoder`,
    /// read by the same ``init(from:)``, without `JSONEncoder`'s intermediate tree (the group commit writes one state
    /// per conversation per batch; through Foundation that was 1.7 % of the server's CPU).
    public var storedJSON: String {
        var json = "{"
        func key(_ key: Key) { json += "\"\(key.rawValue)\":" }
        key(.version)
        json += "\(Self.encodingVersion),"
        key(.step)
        JSONText.appendQuoted(step.rawValue, to: &json)
        switch self {
        case .idle, .mainMenu, .choosingType, .awaitingLocation, .withStaff: break
        case .ordering(let type, let cart), .reviewing(let type, let cart):
            json += ","
            key(.type)
            JSONText.appendQuoted(type.rawValue, to: &json)
            json += ","
            key(.cart)
            json += "["
            for (index, line) in cart.lines.enumerated() {
                if index > 0 { json += "," }
                // OrderLine's synthesized Codable: its properties in declaration order.
                json += "{\"menuItemId\":"
                JSONText.appendQuoted(line.menuItemId, to: &json)
                json += ",\"name\":"
                JSONText.appendQuoted(line.name, to: &json)
                json +=
                    ",\"quantity\":\(line.quantity),\"unitPrice\":\(line.unitPrice),\"lineTotal\":\(line.lineTotal)}"
            }
            json += "]"
        case .awaitingRating(let orderId):
            json += ","
            key(.orderId)
            JSONText.appendQuoted(orderId, to: &json)
        }
        json += "}"
        return json
    }
}

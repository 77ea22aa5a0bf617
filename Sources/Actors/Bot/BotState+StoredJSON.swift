extension BotState {
    /// The stored form of ``BotState+Codable`` written directly — the same keys in the same order as
    /// `JSONEncoder` gives, decoded by the same `init(from:)` — without `JSONEncoder`'s intermediate tree: the group
    /// commit writes one per conversation per batch, and encoding through Foundation was 1.6 % of the server's CPU.
    public var storedJSON: String {
        var json = "{\"v\":\(Self.encodingVersion),\"step\":"
        switch self {
        case .idle: json += "\"idle\""
        case .mainMenu: json += "\"mainMenu\""
        case .choosingType: json += "\"choosingType\""
        case .awaitingLocation: json += "\"awaitingLocation\""
        case .withStaff: json += "\"withStaff\""
        case .ordering(let type, let cart), .reviewing(let type, let cart):
            if case .ordering = self { json += "\"ordering\"" } else { json += "\"reviewing\"" }
            json += ",\"type\":"
            JSONText.appendQuoted(type.rawValue, to: &json)
            json += ",\"cart\":["
            for (index, line) in cart.lines.enumerated() {
                if index > 0 { json += "," }
                json += "{\"menuItemId\":"
                JSONText.appendQuoted(line.menuItemId, to: &json)
                json += ",\"name\":"
                JSONText.appendQuoted(line.name, to: &json)
                json +=
                    ",\"quantity\":\(line.quantity),\"unitPrice\":\(line.unitPrice),\"lineTotal\":\(line.lineTotal)}"
            }
            json += "]"
        case .awaitingRating(let orderId):
            json += "\"awaitingRating\",\"orderId\":"
            JSONText.appendQuoted(orderId, to: &json)
        }
        json += "}"
        return json
    }
}

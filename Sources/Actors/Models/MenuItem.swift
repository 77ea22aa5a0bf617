/// One dish on a restaurant's menu, as the bot shows it.
public struct MenuItem: Sendable, Hashable, Codable, Identifiable {
    /// The server-assigned id (uuid text).
    public var id: String
    /// The Arabic name.
    public var nameAr: String
    /// The English name.
    public var nameEn: String
    /// The price in minor units (e.g. halalas, cents).
    public var price: Int64
    /// Whether customers can order it now; unavailable items are not numbered by the bot.
    public var available: Bool

    /// Creates a menu item.
    public init(id: String, nameAr: String, nameEn: String, price: Int64, available: Bool = true) {
        self.id = id
        self.nameAr = nameAr
        self.nameEn = nameEn
        self.price = price
        self.available = available
    }

    /// The name in `language`, falling back to the other language when that one is blank.
    public func name(in language: Language) -> String {
        let preferred = language == .ar ? nameAr : nameEn
        let fallback = language == .ar ? nameEn : nameAr
        return preferred.allSatisfy(\.isWhitespace) ? fallback : preferred
    }
}

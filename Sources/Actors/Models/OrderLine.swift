/// One line of an order: an item, how many, and the price it was added at.
///
/// `lineTotal` is always `quantity × unitPrice`; build lines through ``Cart`` so that stays true and bounded.
public struct OrderLine: Sendable, Hashable, Codable {
    /// The menu item's id (a line keeps its name and price even if the menu changes later).
    public var menuItemId: String
    /// The item's name when it was added, in the restaurant's language (what the kitchen reads).
    public var name: String
    /// How many, 1…``Cart/maxQuantity``.
    public var quantity: Int
    /// The unit price in minor units when it was added.
    public var unitPrice: Int64
    /// `quantity × unitPrice` in minor units.
    public var lineTotal: Int64

    /// Creates a line as stored; ``Cart`` validates lines before it accepts them.
    public init(menuItemId: String, name: String, quantity: Int, unitPrice: Int64, lineTotal: Int64) {
        self.menuItemId = menuItemId
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.lineTotal = lineTotal
    }
}

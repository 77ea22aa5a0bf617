/// Why a cart change was refused. A struct over a private enum so cases can be added without breaking callers.
public struct CartError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable {
        case quantityOutOfRange
        case tooManyLines
        case amountTooLarge
        case negativePrice
        case inconsistentLine
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// A line's quantity would leave 1…``Cart/maxQuantity``.
    public static let quantityOutOfRange = CartError(.quantityOutOfRange)
    /// The cart already has ``Cart/maxLines`` lines.
    public static let tooManyLines = CartError(.tooManyLines)
    /// A line total or the order total would not fit in `Int64`.
    public static let amountTooLarge = CartError(.amountTooLarge)
    /// A unit price below zero.
    public static let negativePrice = CartError(.negativePrice)
    /// A stored line whose `lineTotal` is not `quantity × unitPrice`.
    public static let inconsistentLine = CartError(.inconsistentLine)

    public var description: String {
        switch kind {
        case .quantityOutOfRange: "quantity must be between 1 and \(Cart.maxQuantity)"
        case .tooManyLines: "an order holds at most \(Cart.maxLines) lines"
        case .amountTooLarge: "amount too large"
        case .negativePrice: "negative price"
        case .inconsistentLine: "line total is not quantity × unit price"
        }
    }
}

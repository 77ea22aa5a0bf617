/// The lines of an order being assembled, with totals that can neither overflow nor go absurd.
///
/// Invariants (checked on every change and on decoding): each quantity is 1…``maxQuantity``, each
/// `lineTotal == quantity × unitPrice`, unit prices are not negative, at most ``maxLines`` lines, one line per
/// menu item, and the total fits in `Int64`.
public struct Cart: Sendable, Hashable {
    /// The largest quantity on one line.
    public static let maxQuantity = 99
    /// The most lines one order may have.
    public static let maxLines = 50

    /// The lines in the order they were first added.
    public private(set) var lines: [OrderLine]
    /// The sum of the line totals in minor units.
    public private(set) var total: Int64

    /// An empty cart.
    public init() {
        self.lines = []
        self.total = 0
    }

    /// A cart holding `lines`, validated (used when decoding stored state).
    public init(lines: [OrderLine]) throws(CartError) {
        self.init()
        for line in lines {
            guard line.lineTotal == (try Self.lineTotal(quantity: line.quantity, unitPrice: line.unitPrice)) else {
                throw .inconsistentLine
            }
            try add(menuItemId: line.menuItemId, name: line.name, unitPrice: line.unitPrice, quantity: line.quantity)
        }
    }

    /// Whether the cart has no lines.
    public var isEmpty: Bool { lines.isEmpty }

    /// `quantity × unitPrice`, or an error when the quantity is out of range or the product overflows.
    public static func lineTotal(quantity: Int, unitPrice: Int64) throws(CartError) -> Int64 {
        guard (1...maxQuantity).contains(quantity) else { throw .quantityOutOfRange }
        guard unitPrice >= 0 else { throw .negativePrice }
        let (product, overflow) = unitPrice.multipliedReportingOverflow(by: Int64(quantity))
        guard !overflow else { throw .amountTooLarge }
        return product
    }

    /// Adds `quantity` of an item; a second add of the same item raises that line's quantity.
    /// Throws (leaving the cart unchanged) when the line would exceed ``maxQuantity``, the cart ``maxLines``,
    /// or the total `Int64`.
    public mutating func add(menuItemId: String, name: String, unitPrice: Int64, quantity: Int) throws(CartError) {
        guard (1...Self.maxQuantity).contains(quantity) else { throw .quantityOutOfRange }
        var updated = lines
        if let index = updated.firstIndex(where: { $0.menuItemId == menuItemId }) {
            let newQuantity = updated[index].quantity + quantity
            let price = updated[index].unitPrice
            updated[index].quantity = newQuantity
            updated[index].lineTotal = try Self.lineTotal(quantity: newQuantity, unitPrice: price)
        } else {
            guard updated.count < Self.maxLines else { throw .tooManyLines }
            let lineTotal = try Self.lineTotal(quantity: quantity, unitPrice: unitPrice)
            updated.append(
                OrderLine(
                    menuItemId: menuItemId, name: name, quantity: quantity, unitPrice: unitPrice,
                    lineTotal: lineTotal))
        }
        total = try Self.sum(updated)
        lines = updated
    }

    /// Removes the line of `menuItemId`; returns whether there was one.
    @discardableResult
    public mutating func remove(menuItemId: String) -> Bool {
        guard let index = lines.firstIndex(where: { $0.menuItemId == menuItemId }) else { return false }
        total -= lines[index].lineTotal
        lines.remove(at: index)
        return true
    }

    /// Removes every line for which `shouldRemove` is true; returns the removed lines.
    public mutating func removeAll(where shouldRemove: (OrderLine) -> Bool) -> [OrderLine] {
        let removed = lines.filter(shouldRemove)
        for line in removed { remove(menuItemId: line.menuItemId) }
        return removed
    }

    private static func sum(_ lines: [OrderLine]) throws(CartError) -> Int64 {
        var total: Int64 = 0
        for line in lines {
            let (next, overflow) = total.addingReportingOverflow(line.lineTotal)
            guard !overflow else { throw .amountTooLarge }
            total = next
        }
        return total
    }
}

extension Cart: Codable {
    /// Decodes a JSON array of lines, re-checking every invariant.
    public init(from decoder: any Decoder) throws {
        let lines = try [OrderLine](from: decoder)
        do {
            try self.init(lines: lines)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "invalid cart: \(error)"))
        }
    }

    /// Encodes the lines as a JSON array.
    public func encode(to encoder: any Encoder) throws {
        try lines.encode(to: encoder)
    }
}

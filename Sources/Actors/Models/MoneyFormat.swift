/// Renders amounts held in minor units (`1250` → `"12.50"`), with an optional currency suffix.
///
/// Integer arithmetic only: no floating point ever touches money.
public struct MoneyFormat: Sendable, Hashable, Codable {
    /// Digits after the decimal point, 0…4 (2 for cents and halalas, 3 for fils).
    public var fractionDigits: Int
    /// Appended after a space when set, e.g. `"SAR"` → `"12.50 SAR"`.
    public var currencySuffix: String?

    /// Two fraction digits, no suffix: `"12.50"`.
    public static let `default` = MoneyFormat()

    /// Creates a format; `fractionDigits` is clamped to 0…4.
    public init(fractionDigits: Int = 2, currencySuffix: String? = nil) {
        self.fractionDigits = min(max(fractionDigits, 0), 4)
        self.currencySuffix = currencySuffix
    }

    /// The amount as text, e.g. `string(1250)` → `"12.50"`, `string(-5)` → `"-0.05"`.
    public func string(_ minorUnits: Int64) -> String {
        let digits = min(max(fractionDigits, 0), 4)
        var divisor: UInt64 = 1
        for _ in 0..<digits { divisor *= 10 }
        let magnitude = minorUnits.magnitude
        var text = minorUnits < 0 ? "-" : ""
        text += String(magnitude / divisor)
        if digits > 0 {
            let fraction = String(magnitude % divisor)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        if let suffix = currencySuffix, !suffix.isEmpty {
            text += " " + suffix
        }
        return text
    }
}

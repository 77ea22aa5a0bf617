/// An immutable value behind one reference: keeps a rarely set field from widening every entry that stores it.
final class Box<Value: Sendable>: Sendable {
    /// The boxed value.
    let value: Value

    /// Boxes `value`.
    init(_ value: Value) {
        self.value = value
    }
}

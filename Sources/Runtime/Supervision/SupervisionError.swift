/// A child exhausted its restart budget and the supervisor escalated (its `run()` throws this).
public struct SupervisionError: Error, CustomStringConvertible {
    /// Name of the child that failed too often.
    public let child: String
    /// The child's last error.
    public let underlying: any Error

    /// An escalation of `child`'s failure `underlying`.
    public init(child: String, underlying: any Error) {
        self.child = child
        self.underlying = underlying
    }

    public var description: String { "child '\(child)' exceeded its restart limit: \(underlying)" }
}

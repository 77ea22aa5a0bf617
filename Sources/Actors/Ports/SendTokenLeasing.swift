/// Leases tokens of a restaurant's send bucket, which every sending process shares, so that N processes together
/// send at the restaurant's `sendPerMinute` and not N times it (docs/outbound.md, "One send rate across processes").
public protocol SendTokenLeasing: Sendable {
    /// Takes up to `count` tokens from `restaurantId`'s send bucket (capacity `ceil(sendPerMinute / 6)`, refilled
    /// continuously at `sendPerMinute / 60` per second): how many were taken, or how long until one is there.
    func leaseSendTokens(restaurantId: String, sendPerMinute: Int, count: Int) async throws -> SendTokenLease

    /// Puts back `count` leased tokens the caller found no work for (the bucket never holds more than its
    /// capacity), so another process can send with them.
    func returnSendTokens(restaurantId: String, sendPerMinute: Int, count: Int) async throws
}

/// The shared send bucket's answer.
public enum SendTokenLease: Sendable, Equatable {
    /// This many tokens were taken (at least 1).
    case granted(Int)
    /// The bucket has less than one token; one will be there after this long. Nothing was taken.
    case wait(Duration)
}

/// Leases tokens in slices from the inbound token buckets that every instance shares (global, restaurant,
/// customer), so one round trip to the shared store pays for many webhooks (see ``LeasedAllowance``).
public protocol TokenLeasing: Sendable {
    /// Takes up to `slice.count` tokens from each bucket of `slices` — from all of them, or from none when any of
    /// them has less than one token.
    func lease(_ slices: [TokenSlice]) async throws -> TokenLease
}

/// A request for up to `count` tokens of one bucket.
public struct TokenSlice: Sendable, Equatable {
    /// Which bucket.
    public var bucket: RateVerdict.Bucket
    /// The restaurant (restaurant and customer buckets).
    public var restaurantId: String
    /// The customer (customer bucket).
    public var customer: String
    /// The bucket's limit per minute (its capacity; refill is continuous at limit / 60 per second).
    public var perMinute: Int
    /// How many tokens to take at most.
    public var count: Int

    /// Creates a slice request.
    public init(bucket: RateVerdict.Bucket, restaurantId: String, customer: String, perMinute: Int, count: Int) {
        self.bucket = bucket
        self.restaurantId = restaurantId
        self.customer = customer
        self.perMinute = perMinute
        self.count = count
    }
}

/// The shared store's answer to a lease.
public enum TokenLease: Sendable, Equatable {
    /// Tokens taken, one count per requested slice, in order (each at least 1).
    case granted([Int])
    /// `bucket` had less than one token; nothing was taken. `retryAfterSeconds` is whole seconds, at least 1.
    case denied(RateVerdict.Bucket, retryAfterSeconds: Int)
}

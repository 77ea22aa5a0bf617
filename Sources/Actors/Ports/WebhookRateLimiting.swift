/// The three inbound token buckets (global, restaurant, customer), checked and taken together, shared by all
/// instances.
public protocol WebhookRateLimiting: Sendable {
    /// Takes one token from each bucket if all three have one.
    func admit(restaurantId: String, customer: String, restaurantPerMinute: Int) async throws -> RateVerdict
}

/// The answer of the inbound rate limiter.
public enum RateVerdict: Sendable, Equatable {
    /// Every bucket had a token; one was taken from each.
    case allowed
    /// A bucket was empty; nothing was taken. `retryAfterSeconds` is whole seconds, at least 1.
    case denied(bucket: Bucket, retryAfterSeconds: Int)

    /// Which bucket said no.
    public enum Bucket: String, Sendable {
        case global, restaurant, customer
    }
}

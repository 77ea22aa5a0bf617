/// The answer of ``RedisRateLimiter/check(restaurantId:customer:restaurantPerMinute:)``.
public struct RateLimitDecision: Sendable, Hashable {
    /// One of the three inbound token buckets.
    public enum Bucket: String, Sendable, Hashable {
        /// Shared by every webhook (`RATE_GLOBAL_PER_MIN`).
        case global
        /// The restaurant's own limit.
        case restaurant
        /// One customer of one restaurant (`RATE_CUSTOMER_PER_MIN`).
        case customer
    }

    /// True when a token was taken from all three buckets.
    public var allowed: Bool
    /// When denied, the bucket that needs the longest wait.
    public var deniedBy: Bucket?
    /// When denied, whole seconds until a retry can pass (ceil, at least 1): the `Retry-After` value. 0 when
    /// allowed.
    public var retryAfterSeconds: Int
    /// When allowed, the whole tokens left in the emptiest bucket.
    public var remaining: Int
}

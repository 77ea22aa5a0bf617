import Actors

/// The inbound buckets of ``WebhookRateLimiting`` on ``RedisRateLimiter`` (one script, one round trip).
public struct RedisWebhookLimiter: WebhookRateLimiting {
    private let limiter: RedisRateLimiter

    /// Wraps `limiter`.
    public init(limiter: RedisRateLimiter) {
        self.limiter = limiter
    }

    public func admit(restaurantId: String, customer: String, restaurantPerMinute: Int) async throws -> RateVerdict {
        let decision = try await limiter.check(
            restaurantId: restaurantId, customer: customer, restaurantPerMinute: restaurantPerMinute)
        if decision.allowed { return .allowed }
        let bucket: RateVerdict.Bucket =
            switch decision.deniedBy {
            case .global: .global
            case .customer: .customer
            case .restaurant, nil: .restaurant
            }
        return .denied(bucket: bucket, retryAfterSeconds: max(1, decision.retryAfterSeconds))
    }
}

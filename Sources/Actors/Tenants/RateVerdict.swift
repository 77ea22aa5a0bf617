/// The inbound rate limiter's answer for one webhook.
public enum RateVerdict: Sendable, Equatable {
    /// Every bucket had a token; one was taken from each.
    case allowed
    /// A bucket was empty; nothing was taken. `retryAfterSeconds` is whole seconds, at least 1.
    case denied(bucket: Bucket, retryAfterSeconds: Int)

    /// The three inbound token buckets every instance shares.
    public enum Bucket: String, Sendable {
        case global, restaurant, customer
    }
}

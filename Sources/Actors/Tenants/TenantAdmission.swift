/// A TenantActor's answer for one webhook.
public enum TenantAdmission: Sendable, Equatable {
    /// Signed by the restaurant's current token and within every limit: one token was taken from each bucket.
    case admitted
    /// `X-Twilio-Signature` missing or wrong for the restaurant's token.
    case badSignature
    /// A bucket was empty; nothing was taken.
    case throttled(RateVerdict.Bucket, retryAfterSeconds: Int)
}

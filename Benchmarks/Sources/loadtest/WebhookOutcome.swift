/// How Sufra answered one webhook.
enum WebhookOutcome: Sendable, Equatable {
    /// 200: stored (or a duplicate of a stored message).
    case acknowledged
    /// 429, with the bucket named in the body (`global`, `restaurant`, `customer`).
    case throttled(String)
    /// Any other status.
    case failed(status: Int)
    /// No answer (connection refused, timeout).
    case transport(String)

    /// The key under which a failure is counted.
    var errorKind: String? {
        switch self {
        case .acknowledged, .throttled: nil
        case .failed(let status): "status \(status)"
        case .transport(let reason):
            switch reason {
            case "timeout": "transport timeout"
            case "connect failed": "connect failed"
            default: "transport"
            }
        }
    }
}

/// Why ``CurlClient/execute(_:)`` did not produce a response.
///
/// Besides the kind of failure it says whether any of the request left this process (``requestMayHaveBeenSent``):
/// a non-idempotent call (a Twilio send) may be repeated blindly only when nothing left. Equality compares the kind
/// only.
public struct CurlClientError: Error, Hashable, CustomStringConvertible {
    private enum Base: Hashable {
        case timedOut
        case connectFailed(String)
        case responseTooLarge(limit: Int)
        case cancelled
        case invalidRequest(String)
        case transport(code: Int, message: String)
    }

    private let base: Base
    private var sent: Bool
    private init(_ base: Base, sent: Bool = true) {
        self.base = base
        self.sent = sent
    }

    public static func == (lhs: CurlClientError, rhs: CurlClientError) -> Bool { lhs.base == rhs.base }
    public func hash(into hasher: inout Hasher) { hasher.combine(base) }

    /// This error, noting whether bytes of the request were handed to the connection (libcurl's
    /// `CURLINFO_REQUEST_SIZE` is 0 until the request is written).
    func requestSent(_ sent: Bool) -> CurlClientError {
        var copy = self
        copy.sent = sent
        return copy
    }

    /// The connect or total timeout passed.
    public static let timedOut = CurlClientError(.timedOut)
    /// The host could not be resolved or connected to.
    public static func connectFailed(_ message: String) -> CurlClientError {
        CurlClientError(.connectFailed(message), sent: false)
    }
    /// The response body was larger than the configured limit.
    public static func responseTooLarge(limit: Int) -> CurlClientError {
        CurlClientError(.responseTooLarge(limit: limit))
    }
    /// The calling task was cancelled; the transfer was removed.
    public static let cancelled = CurlClientError(.cancelled)
    /// The request could not be set up (bad URL, header with a newline…).
    public static func invalidRequest(_ message: String) -> CurlClientError {
        CurlClientError(.invalidRequest(message), sent: false)
    }
    /// Any other libcurl failure.
    public static func transport(code: Int, message: String) -> CurlClientError {
        CurlClientError(.transport(code: code, message: message))
    }

    /// True when no connection could be made: nothing reached the server.
    public var isConnectFailure: Bool { if case .connectFailed = base { true } else { false } }
    /// True for ``responseTooLarge(limit:)``.
    public var isResponseTooLarge: Bool { if case .responseTooLarge = base { true } else { false } }
    /// True for ``cancelled``.
    public var isCancelled: Bool { base == .cancelled }
    /// False only when the connection never carried the request (no connection, name not resolved, TLS handshake
    /// failed, request invalid, or a timeout or cancellation before any byte was written): then the server cannot
    /// have acted on it. True (the safe answer) for everything else, e.g. a timeout after the request was written.
    public var requestMayHaveBeenSent: Bool { sent }

    public var description: String {
        switch base {
        case .timedOut: "HTTP request timed out"
        case .connectFailed(let message): "HTTP connect failed: \(message)"
        case .responseTooLarge(let limit): "HTTP response larger than the limit of \(limit) bytes"
        case .cancelled: "HTTP request cancelled"
        case .invalidRequest(let message): "invalid HTTP request: \(message)"
        case .transport(let code, let message): "HTTP transfer failed (curl \(code)): \(message)"
        }
    }
}

/// Why ``HTTPClient/execute(_:)`` did not produce a response.
public struct HTTPClientError: Error, Hashable, CustomStringConvertible {
    private enum Base: Hashable {
        case timedOut
        case connectFailed(String)
        case responseTooLarge(limit: Int)
        case cancelled
        case invalidRequest(String)
        case transport(code: Int, message: String)
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// The connect or total timeout passed.
    public static let timedOut = HTTPClientError(.timedOut)
    /// The host could not be resolved or connected to.
    public static func connectFailed(_ message: String) -> HTTPClientError { HTTPClientError(.connectFailed(message)) }
    /// The response body was larger than the configured limit.
    public static func responseTooLarge(limit: Int) -> HTTPClientError {
        HTTPClientError(.responseTooLarge(limit: limit))
    }
    /// The calling task was cancelled; the transfer was removed.
    public static let cancelled = HTTPClientError(.cancelled)
    /// The request could not be set up (bad URL, header with a newline…).
    public static func invalidRequest(_ message: String) -> HTTPClientError {
        HTTPClientError(.invalidRequest(message))
    }
    /// Any other libcurl failure.
    public static func transport(code: Int, message: String) -> HTTPClientError {
        HTTPClientError(.transport(code: code, message: message))
    }

    /// True for ``timedOut``.
    public var isTimeout: Bool { base == .timedOut }
    /// True when no connection could be made: nothing reached the server.
    public var isConnectFailure: Bool { if case .connectFailed = base { true } else { false } }
    /// True for ``responseTooLarge(limit:)``.
    public var isResponseTooLarge: Bool { if case .responseTooLarge = base { true } else { false } }
    /// True for ``cancelled``.
    public var isCancelled: Bool { base == .cancelled }

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

/// Limits and timeouts of an ``CurlClient``.
public struct CurlClientConfiguration: Sendable {
    /// Time allowed to establish a connection (DNS, TCP, TLS).
    public var connectTimeout: Duration = .seconds(5)
    /// Time allowed for a whole transfer, queueing for a connection included.
    public var totalTimeout: Duration = .seconds(30)
    /// Largest response body accepted; larger answers fail with ``CurlClientError/responseTooLarge(limit:)``.
    public var maxResponseSize: Int = 1 << 20
    /// Transfers (so connections) per origin at once; the ones beyond it wait in the client, in arrival order, with
    /// their timeout running. 0 means no limit.
    public var maxConnectionsPerHost: Int = 64
    /// Idle keep-alive connections cached for reuse.
    public var maxCachedConnections: Int = 128

    /// The defaults: 5 s connect, 30 s total, 1 MiB bodies, 64 connections per host.
    public init() {}
}

import NIOCore
import NIOHTTP1
import NIOPosix
import SufraDev
import Synchronization

/// The load harness's client for its hot requests — the customers' webhooks and the sandbox's status callbacks,
/// four per replied message: plain HTTP/1.1 on SwiftNIO, keep-alive connections per origin, one exchange per
/// connection at a time.
///
/// The harness shares this machine's two cores with the server it measures, so what it spends per request is taken
/// from Sufra: with libcurl's multi interface for these four requests it spent 1.40 ms of CPU per replied message at
/// 400 messages/s, with this client 1.21 (BENCHMARKS.md, "Session of 2026-12-02, afternoon"). Sufra itself keeps
/// libcurl for Twilio; this client only stands in for the customers' and Twilio's side.
final class KeepAliveHTTPClient: Sendable {
    /// An answer: status, body, and whether the connection stays open.
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
        var keepAlive: Bool
    }

    /// Why no answer came.
    enum Failure: Error, Equatable {
        /// The URL is not `http://host:port/path`.
        case invalidURL
        /// No connection could be opened.
        case connectFailed(String)
        /// No answer within the request's time (the connection is closed).
        case timedOut
        /// The connection closed or failed before the answer was complete.
        case connectionClosed
        /// The calling task was cancelled.
        case cancelled
        /// A second exchange was written on a connection in use (a bug of the pool).
        case busy
    }

    /// Where a request goes: the host and port of an `http` URL (its pool of connections is keyed by it).
    struct Origin: Hashable, Sendable {
        var host: String
        var port: Int
    }

    private typealias Lease = KeepAliveLease<any Channel>
    private typealias Pool = KeepAlivePool<any Channel, CheckedContinuation<Lease, Never>>

    private let group: any EventLoopGroup
    private let connectionsPerOrigin: Int
    private let connectTimeout: TimeAmount
    private let pools = Mutex<[Origin: Pool]>([:])

    /// A client opening at most `connectionsPerOrigin` connections to each origin, on `group`'s loops.
    init(
        connectionsPerOrigin: Int, connectTimeout: Duration = .seconds(5),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.group = group
        self.connectionsPerOrigin = max(1, connectionsPerOrigin)
        self.connectTimeout = .nanoseconds(Self.nanoseconds(connectTimeout))
    }

    /// Posts `body` to `url` (`http://host:port/path`) and returns the answer, whatever its status.
    func post(
        _ url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration
    ) async throws(Failure) -> Response {
        guard let (origin, path) = Self.split(url) else { throw .invalidURL }
        let deadline = ContinuousClock.now + timeout
        let channel = try await connection(to: origin)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.reserveCapacity(headers.count + 2)
        head.headers.add(name: "Host", value: "\(origin.host):\(origin.port)")
        for header in headers { head.headers.add(name: header.name, value: header.value) }
        head.headers.add(name: "Content-Length", value: String(body.count))
        let left = deadline - ContinuousClock.now
        guard left > .zero, !Task.isCancelled else {
            release(channel, origin: origin)
            throw Task.isCancelled ? .cancelled : .timedOut
        }
        let promise = channel.eventLoop.makePromise(of: Response.self)
        let exchange = KeepAliveExchange(
            head: head, body: ByteBuffer(bytes: body), timeout: .nanoseconds(Self.nanoseconds(left)),
            promise: promise)
        channel.writeAndFlush(exchange, promise: nil)
        do {
            let response = try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
            if response.keepAlive { release(channel, origin: origin) }
            return response
        } catch {
            if Task.isCancelled { throw .cancelled }
            throw (error as? Failure) ?? .connectionClosed
        }
    }

    // MARK: Connections

    /// A connection to `origin`: an idle one, a new one, or the next freed after waiting in arrival order.
    private func connection(to origin: Origin) async throws(Failure) -> any Channel {
        while true {
            let lease = await withCheckedContinuation { (waiter: CheckedContinuation<Lease, Never>) in
                let lease = pools.withLock { pools in
                    pools[origin, default: Pool(limit: connectionsPerOrigin)].acquire(waiter)
                }
                if case .wait = lease { return }
                waiter.resume(returning: lease)
            }
            switch lease {
            case .reuse(let channel):
                // A connection the server closed while idle: its slot is freed by its close, so just ask again.
                if channel.isActive { return channel }
            case .connect:
                return try await connect(to: origin)
            case .wait:
                continue  // never handed to a waiter: it gets `.reuse` or `.connect`
            }
        }
    }

    private func connect(to origin: Origin) async throws(Failure) -> any Channel {
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(connectTimeout)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(KeepAliveExchangeHandler())
                    }
                }
                .connect(host: origin.host, port: origin.port)
                .get()
            channel.closeFuture.whenComplete { [self] _ in closed(channel, origin: origin) }
            return channel
        } catch {
            closed(nil, origin: origin)
            throw .connectFailed("\(error)")
        }
    }

    /// An exchange ended and its connection stays open: to the longest waiter, else idle.
    private func release(_ channel: any Channel, origin: Origin) {
        let handoff = pools.withLock { $0[origin]?.release(channel) }
        if let (waiter, lease) = handoff { waiter.resume(returning: lease) }
    }

    /// A connection closed (or never opened): the longest waiter may open one in its place.
    private func closed(_ channel: (any Channel)?, origin: Origin) {
        let handoff = pools.withLock { $0[origin]?.closed { $0 === channel } }
        if let (waiter, lease) = handoff { waiter.resume(returning: lease) }
    }

    // MARK: Helpers

    /// The origin and path of `http://host:port/path` (port 80 when absent), nil for anything else.
    static func split(_ url: String) -> (Origin, String)? {
        let scheme = "http://"
        guard url.hasPrefix(scheme) else { return nil }
        let rest = url.dropFirst(scheme.count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        let host: Substring
        let port: Int
        if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let parsed = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = parsed
        } else {
            host = authority
            port = 80
        }
        guard !host.isEmpty else { return nil }
        return (Origin(host: String(host), port: port), path)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension KeepAliveHTTPClient: SandboxCallbackPoster {
    /// Posts one status callback; the answer is not read (Twilio does not retry callbacks either).
    func postCallback(url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration) async {
        _ = try? await post(url, headers: headers, body: body, timeout: timeout)
    }
}

import CLibPQ
import DequeModule
import Foundation
import Synchronization

/// One PostgreSQL connection on libpq in non-blocking mode, driven by an ``IOEventLoop``.
///
/// The actor's executor is the loop, so all libpq calls happen on the loop thread: a request is sent with
/// `PQsendQueryParams` (or a pipeline of them), flushed with `PQflush` while the socket is writable, and its
/// results are collected with `PQconsumeInput`/`PQisBusy`/`PQgetResult` when the socket is readable. Callers
/// wait on continuations; nothing blocks Swift's cooperative pool. Requests from concurrent callers queue and
/// run one at a time (never interleaved), so one caller's transaction is never mixed with another's.
///
/// Most code leases connections from ``PGPool``; use a connection directly for `LISTEN` or tests.
public actor PGConnection {
    /// The loop whose thread runs this connection.
    public nonisolated let loop: IOEventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }

    var pq: OpaquePointer?
    var watchID: IOEventLoop.WatchID?
    var phase: Phase = .connecting
    var connectContinuation: CheckedContinuation<Void, any Error>?
    var connectTimer: IOEventLoop.TimerID?
    var requests: Deque<Request> = []
    var inFlight: InFlight?
    /// The deadline of each request from the moment it is sent (nil: none); see ``setRequestTimeout(_:)``.
    public internal(set) var requestTimeout: Duration?
    /// Fires when the request in flight misses its deadline.
    var requestTimer: IOEventLoop.TimerID?
    /// Numbers the requests sent, so that a late timer never hits the request after the one it was set for.
    var requestSequence: UInt64 = 0
    var needsFlush = false
    var prepared = PreparedStatements()
    var notifications: Deque<PGNotification> = []
    var notificationWaiter: CheckedContinuation<PGNotification, any Error>?
    /// Notifications dropped because nobody consumed them (the buffer holds ``notificationBufferLimit``).
    public internal(set) var droppedNotifications = 0
    /// The server process serving this connection (for `pg_terminate_backend`, `pg_cancel_backend`).
    public internal(set) var backendPID: Int32 = 0

    let closedFlag = Atomic<Bool>(false)
    let inTransactionFlag = Atomic<Bool>(false)
    let onClose: (@Sendable () -> Void)?

    static let notificationBufferLimit = 10_000

    enum Phase {
        case connecting
        case open
        case closed(PGError)
    }

    enum Work {
        case single(PGQuery)
        case simple(String)
        case pipeline([PGQuery])
    }

    struct Request {
        let work: Work
        let continuation: CheckedContinuation<[Result<PGRows, PGError>], any Error>
    }

    struct InFlight {
        let request: Request
        var results: [Result<PGRows, PGError>] = []
        /// The `PGresult`s of the statement being received (usually one).
        var pending: [OpaquePointer] = []
        /// A single statement being prepared: once the prepare succeeds, it runs under `name`.
        var preparing: (key: PreparedStatements.Key, name: String, query: PGQuery)?
        /// The single statement running under a prepared name (forgotten if the server no longer knows it).
        var preparedKey: PreparedStatements.Key?
        /// A pipeline's statements, in order: each one's prepared key (nil: sent unnamed), and whether a prepare
        /// was sent before it (its result comes first and is not one of the caller's).
        var pipelineSlots: [(key: PreparedStatements.Key?, prepared: Bool)] = []
        var pipelined: Bool {
            if case .pipeline = request.work { return true }
            return false
        }
    }

    init(loop: IOEventLoop, pq: OpaquePointer, requestTimeout: Duration?, onClose: (@Sendable () -> Void)?) {
        self.loop = loop
        self.pq = pq
        self.requestTimeout = requestTimeout
        self.onClose = onClose
    }

    /// Changes the deadline of the requests sent from now on (nil: none), e.g. for a migration that may run long.
    public func setRequestTimeout(_ timeout: Duration?) {
        requestTimeout = timeout
    }

    isolated deinit {
        if let watchID { loop.unwatch(watchID) }
        if let pq { PQfinish(pq) }
    }

    /// True once the connection is closed or broken; it will not work again.
    public nonisolated var isClosed: Bool { closedFlag.load(ordering: .acquiring) }

    /// True when the last statement left the session inside a transaction block.
    public nonisolated var isInTransaction: Bool { inTransactionFlag.load(ordering: .acquiring) }

    /// Connects without blocking; fails with a `.connectionFailed` or `.connectTimeout` ``PGError``.
    /// Each request on the connection then has ``PGConfiguration/requestTimeout`` as its deadline.
    ///
    /// - Parameter onClose: runs on the loop thread once, if this established connection later closes or breaks.
    public static func connect(
        configuration: PGConfiguration, loop: IOEventLoop = .shared,
        onClose: (@Sendable () -> Void)? = nil
    ) async throws -> PGConnection {
        // PQconnectStartParams would resolve a host name with a blocking getaddrinfo on the caller's (cooperative)
        // thread: resolve it on a thread of its own and hand libpq the address as `hostaddr` (the name stays in
        // `host` for TLS verification). With an IP address or a socket directory nothing is resolved.
        var parameters = configuration.libpqParameters
        if configuration.unixSocketDirectory == nil, let host = configuration.host, !HostResolver.isNumeric(host),
            configuration.extraParameters["hostaddr"] == nil
        {
            do {
                let addresses = try await HostResolver.resolve(host, timeout: configuration.connectTimeout, loop: loop)
                parameters.append(("hostaddr", addresses[0]))
            } catch {
                throw PGError(.connectionFailed, "\(error)")
            }
        }
        let pq = try startConnect(parameters)
        let connection = PGConnection(
            loop: loop, pq: pq, requestTimeout: configuration.requestTimeout, onClose: onClose)
        try await connection.runConnect(timeout: configuration.connectTimeout)
        return connection
    }

    private static func startConnect(_ parameters: [(String, String)]) throws(PGError) -> OpaquePointer {
        var keywords = parameters.map { strdup($0.0) }
        var values = parameters.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        keywords.append(nil)
        values.append(nil)
        let pq = keywords.withUnsafeBufferPointer { keywordBuffer in
            values.withUnsafeBufferPointer { valueBuffer in
                keywordBuffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { keywordPointers in
                    valueBuffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { valuePointers in
                        PQconnectStartParams(keywordPointers.baseAddress, valuePointers.baseAddress, 0)
                    }
                }
            }
        }
        guard let pq else { throw PGError(.connectionFailed, "libpq could not allocate a connection") }
        if PQstatus(pq) == CONNECTION_BAD {
            let message = Self.errorMessage(pq)
            PQfinish(pq)
            throw PGError(.connectionFailed, message)
        }
        return pq
    }

    static func errorMessage(_ pq: OpaquePointer?) -> String {
        guard let pq, let text = PQerrorMessage(pq) else { return "unknown libpq error" }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.isEmpty ? "unknown libpq error" : message
    }
}

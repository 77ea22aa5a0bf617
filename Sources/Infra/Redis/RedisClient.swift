import Logging
import ServiceLifecycle
import Synchronization

/// A pool of Redis connections, run as a `Service`.
///
/// `run()` owns the connections: one task per slot connects, waits for the connection to close, and reconnects
/// with exponential backoff. Callers never lease a connection exclusively: commands from many callers are
/// pipelined over the ready connections (round-robin). While no connection is ready callers wait, unless the
/// last connect attempt failed, in which case they fail fast (see ``RedisPoolStateMachine``).
///
/// ```swift
/// let redis = RedisClient(configuration: try RedisConfiguration(url: url), logger: logger)
/// // in a ServiceGroup, or: group.addTask { try await redis.run() }
/// let reply = try await redis.send(["INCR", "counter"])
/// ```
public final class RedisClient: Service, Sendable {
    typealias Waiter = CheckedContinuation<RedisConnection, any Error>

    /// Where it connects and its limits.
    public let configuration: RedisConfiguration
    let loop: IOEventLoop
    let logger: Logger
    let metrics: RedisMetrics
    let state: Mutex<RedisPoolStateMachine<RedisConnection, Waiter>>
    private let waiterIDs = Atomic<Int>(0)

    /// Creates the pool; nothing connects until ``run()``.
    ///
    /// - Parameters:
    ///   - maximumWaiters: callers allowed to wait for a connection while none is ready; more fail fast.
    ///   - metrics: command times and errors.
    public init(
        configuration: RedisConfiguration, loop: IOEventLoop = .shared, logger: Logger = Logger(label: "sufra.redis"),
        maximumWaiters: Int = 10_000, metrics: RedisMetrics = RedisMetrics()
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.loop = loop
        self.logger = logger
        self.state = Mutex(
            RedisPoolStateMachine(slotCount: configuration.poolSize, maximumWaiters: maximumWaiters))
    }

    /// Keeps `poolSize` connections open until graceful shutdown or cancellation, then lets in-flight commands
    /// finish and closes them.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for slot in 0..<max(1, configuration.poolSize) {
                group.addTask { await self.runSlot(slot) }
            }
            try? await gracefulShutdown()
            let (waiters, connections) = state.withLock { $0.shutdown() }
            for waiter in waiters { waiter.resume(throwing: RedisError.shutdown) }
            for connection in connections { await connection.drainAndClose() }
            group.cancelAll()
        }
    }

    /// Sends one command on a ready connection and returns its reply.
    ///
    /// - Throws: ``RedisError`` (`.server` for an error reply, `.connection`, `.timeout`, `.commandTooLarge`,
    ///   `.shutdown`). A `.connection` or `.timeout` error means the command may or may not have run.
    public func send(_ arguments: [RedisArgument]) async throws -> RESPValue {
        try await metrics.measure(RedisMetrics.commandLabel(arguments.first?.bytes)) {
            try await connection().send(arguments)
        }
    }

    /// Sends one command given as strings.
    public func send(_ arguments: [String]) async throws -> RESPValue {
        try await send(arguments.map { RedisArgument($0) })
    }

    /// Sends all commands on one connection in one write and returns the replies in order (error replies as
    /// ``RESPValue/error(_:)`` elements). Commands of one pipeline are never interleaved with other callers', so
    /// `MULTI … EXEC` inside a pipeline is safe.
    public func pipeline(_ commands: [[RedisArgument]]) async throws -> [RESPValue] {
        try await metrics.measure("PIPELINE") { try await connection().pipeline(commands) }
    }

    /// Sends the commands of `batch`, already in Redis's wire format: one write, one round trip, the replies in order.
    public func pipeline(_ batch: RedisCommandBatch) async throws -> [RESPValue] {
        try await metrics.measure("PIPELINE") { try await connection().pipeline(batch) }
    }

    /// Runs `script` by `EVALSHA` (its SHA-1 computed once, locally), falling back to `EVAL` (which also loads it)
    /// when the server answers `NOSCRIPT`.
    public func eval(
        _ script: RedisScript, keys: [RedisArgument] = [], arguments: [RedisArgument] = []
    ) async throws -> RESPValue {
        let tail = [RedisArgument(keys.count)] + keys + arguments
        do {
            return try await send(["EVALSHA", RedisArgument(script.sha1)] + tail)
        } catch let error as RedisError where error.serverErrorPrefix == "NOSCRIPT" {
            return try await send(["EVAL", RedisArgument(script.source)] + tail)
        }
    }

    /// Publishes `message` on `channel`; returns how many subscribers received it.
    @discardableResult
    public func publish(channel: String, message: [UInt8]) async throws -> Int {
        let reply = try await send(["PUBLISH", RedisArgument(channel), RedisArgument(bytes: message)])
        guard let count = reply.int else { throw RedisError.unexpectedReply(reply, expected: "an integer") }
        return Int(count)
    }

    /// Publishes a text message on `channel`.
    @discardableResult
    public func publish(channel: String, message: String) async throws -> Int {
        try await publish(channel: channel, message: Array(message.utf8))
    }

    // MARK: Connections

    /// A ready connection (waits while none is, fails fast while Redis is down).
    func connection() async throws -> RedisConnection {
        if let ready = state.withLock({ $0.readyConnection() }) { return ready }
        let id = waiterIDs.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: Waiter) in
                switch state.withLock({ $0.acquire(id: id, waiter: continuation) }) {
                case .use(let connection): continuation.resume(returning: connection)
                case .fail(let error): continuation.resume(throwing: error)
                case .queued: break
                }
            }
        } onCancel: {
            state.withLock { $0.cancel(id: id) }?.resume(throwing: CancellationError())
        }
    }

    private func runSlot(_ slot: Int) async {
        var failures = 0
        while !Task.isCancelled {
            let connection: RedisConnection
            do {
                connection = try await RedisConnection.connect(configuration: configuration, loop: loop)
            } catch {
                let redisError = error as? RedisError ?? RedisError.connection("\(error)")
                let failed = state.withLock { $0.connectFailed(slot: slot, redisError) }
                for waiter in failed { waiter.resume(throwing: redisError) }
                if failures == 0 { logger.warning("Redis connect failed", metadata: ["error": "\(redisError)"]) }
                failures += 1
                let delay = RedisBackoff.delay(
                    attempt: failures, initial: configuration.initialReconnectDelay,
                    maximum: configuration.maximumReconnectDelay)
                try? await Task.sleep(for: delay)
                continue
            }
            if failures > 0 { logger.info("Redis reconnected", metadata: ["after": "\(failures) failed attempts"]) }
            failures = 0
            switch state.withLock({ $0.connected(slot: slot, connection) }) {
            case .close:
                await connection.drainAndClose()
                return
            case .keep(let waiters):
                for waiter in waiters { waiter.resume(returning: connection) }
            }
            let reason = await withTaskCancellationHandler {
                await connection.closed()
            } onCancel: {
                connection.closeSoon()
            }
            state.withLock { $0.disconnected(slot: slot) }
            if !Task.isCancelled { logger.info("Redis connection closed", metadata: ["reason": "\(reason)"]) }
        }
    }
}

/// Exponential backoff with a cap.
enum RedisBackoff {
    static func delay(attempt: Int, initial: Duration, maximum: Duration) -> Duration {
        var delay = initial
        for _ in 1..<max(1, min(attempt, 30)) {
            delay *= 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}

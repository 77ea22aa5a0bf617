import CHiredis
import DequeModule

/// One hiredis async connection, driven by an ``IOEventLoop``.
///
/// The actor runs on the loop thread (its `unownedExecutor` is the loop), so hiredis is only ever touched from
/// there: the adapter hooks (`ev.addRead` …), readiness handlers and timers reach the actor's state with
/// `assumeIsolated`. Commands are pipelined: any number may be in flight, replies come back in order.
///
/// hiredis 0.14 has no async timeouts, so each command carries a deadline; when the oldest pending command misses
/// it, the connection is dropped and every pending caller fails (a late reply could otherwise be matched to the
/// wrong caller). A dropped connection stays dropped: the pool (``RedisClient``) replaces it.
///
/// Callback bookkeeping holds no heap memory: the per-command `privdata` is a sequence number (not a pointer) and
/// `ac->data` points at this actor unretained. The actor is kept alive by its epoll watcher until hiredis calls
/// the `cleanup` hook, after which hiredis no longer calls back. Nothing needs freeing, so nothing can be freed
/// twice, also when hiredis flushes pending callbacks with a NULL reply as the context dies.
public actor RedisConnection {
    /// The loop the connection runs on.
    public nonisolated let loop: IOEventLoop
    /// Where it connects and its limits.
    public nonisolated let configuration: RedisConfiguration

    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }

    enum State {
        case initial
        case connecting
        case open
        case closed(RedisError)
    }

    enum Sink {
        case single(CheckedContinuation<RESPValue, any Error>)
        case batch(PipelineBatch, index: Int)
    }

    struct Pending {
        var id: UInt
        var deadline: UInt64
        var sink: Sink
    }

    /// Collects the replies of one ``pipeline(_:)`` call; resumes its caller once.
    final class PipelineBatch {
        var values: [RESPValue]
        var continuation: CheckedContinuation<[RESPValue], any Error>?

        init(count: Int, continuation: CheckedContinuation<[RESPValue], any Error>) {
            self.values = Array(repeating: .null, count: count)
            self.continuation = continuation
        }
    }

    /// The `privdata` tag of subscription replies (pushes); regular commands count up from 2.
    static let pushTag: UInt = 1

    var state: State = .initial
    var context: UnsafeMutablePointer<redisAsyncContext>?
    var watchID: IOEventLoop.WatchID?
    var pending = Deque<Pending>()
    var nextID: UInt = 2
    /// Why the connection is being closed by us; pending callers fail with it.
    var closeReason: RedisError?
    var watchdog: IOEventLoop.TimerID?
    var watchdogDeadline: UInt64 = 0
    var connectTimer: IOEventLoop.TimerID?
    var connectContinuation: CheckedContinuation<Void, any Error>?
    var closeWaiters: [CheckedContinuation<RedisError, Never>] = []
    /// Set by ``drainAndClose()``: close as soon as the last pending reply arrives.
    var closeWhenIdle = false
    let pushHandler: (@Sendable (RESPValue) -> Void)?
    /// The numeric address hiredis connects to (``configuration``'s host, resolved off the loop).
    nonisolated let address: String

    init(
        configuration: RedisConfiguration, address: String, loop: IOEventLoop,
        pushHandler: (@Sendable (RESPValue) -> Void)?
    ) {
        self.configuration = configuration
        self.address = address
        self.loop = loop
        self.pushHandler = pushHandler
    }

    /// Connects, then authenticates (`AUTH`), selects the database (`SELECT`) and checks the server (`PING`) in one
    /// round trip.
    ///
    /// - Parameter pushHandler: for a subscriber connection, receives every pub/sub reply (`subscribe`, `message`,
    ///   `pmessage`, `unsubscribe` …) on the loop thread.
    /// - Throws: ``RedisError`` (`.connection`, `.timeout`, or `.server` when `AUTH`/`SELECT` are refused).
    public static func connect(
        configuration: RedisConfiguration, loop: IOEventLoop = .shared,
        pushHandler: (@Sendable (RESPValue) -> Void)? = nil
    ) async throws -> RedisConnection {
        // hiredis would resolve a host name with a blocking getaddrinfo on the loop thread: resolve it here,
        // on a thread of its own (HostResolver), and let hiredis connect to numeric addresses, in order.
        let addresses: [String]
        do {
            addresses = try await HostResolver.resolve(
                configuration.host, timeout: configuration.connectTimeout, loop: loop)
        } catch {
            throw RedisError.connection("connect to \(configuration.host):\(configuration.port) failed: \(error)")
        }
        var lastError: any Error = RedisError.connection("no address for \(configuration.host)")
        for address in addresses {
            let connection = RedisConnection(
                configuration: configuration, address: address, loop: loop, pushHandler: pushHandler)
            do {
                try await connection.open()
                return connection
            } catch let error as RedisError where error.code == .connection || error.code == .timeout {
                lastError = error  // unreachable on this address: try the next one
            }
        }
        throw lastError
    }

    /// True once the connection is closed (by ``close()``, an error, a timeout or the server).
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// Sends one command and waits for its reply.
    ///
    /// - Throws: ``RedisError``: `.server` for an error reply, `.connection`, `.timeout`, `.commandTooLarge`.
    public func send(_ arguments: [RedisArgument]) async throws -> RESPValue {
        let command = RedisCommandBatch([arguments])
        try checkSize(command)
        let reply = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<RESPValue, any Error>) in
            do {
                try write(command, command: 0, sink: .single(continuation), timeout: configuration.commandTimeout)
            } catch {
                continuation.resume(throwing: error)
            }
        }
        if case .error(let message) = reply { throw RedisError.server(message) }
        return reply
    }

    /// Sends many commands at once (one write, one round trip) and returns their replies in order. Error replies
    /// are returned as ``RESPValue/error(_:)`` elements; a broken connection fails the whole call.
    public func pipeline(_ commands: [[RedisArgument]]) async throws -> [RESPValue] {
        try await pipeline(RedisCommandBatch(commands), timeout: configuration.commandTimeout)
    }

    /// Sends the commands of `batch` at once: one write, one round trip, the replies in order.
    public func pipeline(_ batch: RedisCommandBatch) async throws -> [RESPValue] {
        try await pipeline(batch, timeout: configuration.commandTimeout)
    }

    func pipeline(_ commands: [[RedisArgument]], timeout: Duration) async throws -> [RESPValue] {
        try await pipeline(RedisCommandBatch(commands), timeout: timeout)
    }

    func pipeline(_ commands: RedisCommandBatch, timeout: Duration) async throws -> [RESPValue] {
        if commands.isEmpty { return [] }
        try checkSize(commands)
        return try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<[RESPValue], any Error>) in
            let batch = PipelineBatch(count: commands.count, continuation: continuation)
            for index in 0..<commands.count {
                do {
                    try write(commands, command: index, sink: .batch(batch, index: index), timeout: timeout)
                } catch {
                    // Nothing more is written; the commands already queued fail with the connection.
                    batch.continuation?.resume(throwing: error)
                    batch.continuation = nil
                    if index > 0 { close(reason: RedisError.connection("pipeline interrupted: \(error)")) }
                    return
                }
            }
        }
    }

    /// Closes the connection now; pending commands fail with a `.connection` error.
    public func close() {
        close(reason: RedisError.connection("connection closed by the client"))
    }

    /// Lets the pending commands finish (each within its deadline), refuses new ones, then closes.
    public func drainAndClose() async {
        if pending.isEmpty {
            close()
        } else {
            closeWhenIdle = true
        }
        _ = await closed()
    }

    /// Closes the connection from any context (for cancellation handlers); returns at once.
    public nonisolated func closeSoon() {
        loop.execute { [self] in self.assumeIsolated { $0.close() } }
    }

    /// Waits until the connection is closed and returns why.
    public func closed() async -> RedisError {
        if case .closed(let reason) = state { return reason }
        return await withCheckedContinuation { closeWaiters.append($0) }
    }

    // MARK: Pub/sub (subscriber connections only)

    /// Writes `SUBSCRIBE`, `PSUBSCRIBE`, `UNSUBSCRIBE` or `PUNSUBSCRIBE` with `names`. Their replies, and the
    /// messages that follow, go to the push handler given at ``connect(configuration:loop:pushHandler:)``.
    public func writeSubscription(_ command: String, names: [[UInt8]]) throws {
        guard pushHandler != nil else {
            throw RedisError.connection("subscription commands need a connection made with a push handler")
        }
        guard !names.isEmpty else { return }
        var subscription = RedisCommandBatch()
        subscription.beginCommand(arguments: 1 + names.count)
        subscription.appendArgument(command)
        for name in names { subscription.appendArgument(bytes: name) }
        try checkSize(subscription)
        try writeFormatted(subscription, command: 0, tag: Self.pushTag)
    }

    /// Refuses the whole batch, before anything is written, when one of its commands is over the client's limit.
    func checkSize(_ batch: RedisCommandBatch) throws {
        for index in 0..<batch.count where batch.argumentBytes(of: index) > configuration.maximumCommandBytes {
            throw RedisError(
                .commandTooLarge,
                "command of \(batch.argumentBytes(of: index)) bytes exceeds the client limit of "
                    + "\(configuration.maximumCommandBytes) bytes")
        }
    }
}

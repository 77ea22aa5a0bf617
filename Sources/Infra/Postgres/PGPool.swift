import DequeModule
import Logging
import ServiceLifecycle
import Synchronization

/// A pool of ``PGConnection``s, run as a `Service`.
///
/// `run()` owns the connections: it opens them (the minimum at start, more on demand up to the maximum),
/// replaces broken ones, backs off when the server is down and closes everything on graceful shutdown.
/// Callers lease with ``withConnection(isolation:_:)`` / ``withTransaction(isolation:_:)`` or use
/// ``query(_:)`` / ``execute(_:)``.
///
/// Leasing before `run()` has started is allowed: the request waits (up to ``Options/acquireTimeout``) and is
/// served as soon as `run()` opens connections; if `run()` still has not started when the timeout expires, the
/// caller gets a `.poolNotRunning` error saying so. After shutdown, leasing fails at once with `.poolShutDown`.
/// While the server is unreachable and no connection is open, callers fail fast with `.unavailable` (carrying
/// the last connect error) instead of piling up; the pool retries with exponential backoff.
public final class PGPool: Service, Sendable {
    /// Pool sizing and timing.
    public struct Options: Sendable {
        /// Connections kept open even when idle.
        public var minimumConnections = 1
        /// Upper bound on open connections.
        public var maximumConnections = 10
        /// Callers allowed to wait for a connection at once; more fail with `.tooManyWaiters`.
        public var maximumWaiters = 1_000
        /// How long a caller waits for a connection. With ``PGConfiguration/requestTimeout`` (5 s) this
        /// bounds a webhook's wait for the database at about 10 s, below Twilio's 15 s.
        public var acquireTimeout: Duration = .seconds(5)
        /// First delay after a failed connect; doubles per failure up to ``maximumBackoff``.
        public var initialBackoff: Duration = .milliseconds(100)
        /// Longest delay between connect attempts.
        public var maximumBackoff: Duration = .seconds(5)

        /// Default options: 1…10 connections, 1,000 waiters, 5 s acquire timeout.
        public init() {}
    }

    /// The server this pool connects to.
    public let configuration: PGConfiguration
    /// Pool sizing and timing.
    public let options: Options
    let loop: IOEventLoop
    let logger: Logger
    let metrics: PGPoolMetrics
    let state: Mutex<ShellState>
    let events: AsyncStream<Event>
    let eventSink: AsyncStream<Event>.Continuation
    private let counters = Counters()

    /// Creates a pool; nothing connects until ``run()``.
    public init(
        configuration: PGConfiguration, options: Options = Options(), loop: IOEventLoop = .shared,
        logger: Logger = Logger(label: "sufra.postgres"), metrics: PGPoolMetrics = PGPoolMetrics()
    ) {
        self.configuration = configuration
        self.options = options
        self.loop = loop
        self.logger = logger
        self.metrics = metrics
        let machine = PGPoolStateMachine(
            configuration: .init(
                minimumConnections: options.minimumConnections,
                maximumConnections: max(1, options.maximumConnections),
                maximumWaiters: options.maximumWaiters, initialBackoff: options.initialBackoff,
                maximumBackoff: options.maximumBackoff))
        self.state = Mutex(ShellState(machine: machine))
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
    }

    /// What the pool has done so far (for metrics and tests).
    public struct Statistics: Sendable, Hashable {
        /// Connections opened successfully.
        public var opened: Int
        /// Connections that broke or were closed.
        public var closed: Int
        /// Failed connection attempts.
        public var connectFailures: Int
        /// Connections open now (idle or leased).
        public var open: Int
        /// Connections idle now.
        public var idle: Int
        /// Callers waiting now.
        public var waiting: Int
    }

    /// A snapshot of the pool's counters.
    public var statistics: Statistics {
        state.withLock { shell in
            Statistics(
                opened: counters.opened.load(ordering: .relaxed), closed: counters.closed.load(ordering: .relaxed),
                connectFailures: counters.connectFailures.load(ordering: .relaxed), open: shell.connections.count,
                idle: shell.machine.idle.count, waiting: shell.machine.waiters.count)
        }
    }

    // MARK: Shell state

    /// Work `run()` performs in its task group.
    enum Event: Sendable {
        case connect(PGPoolStateMachine.ConnectionID)
        case backoff(Duration)
        case finish
    }

    struct ShellState: ~Copyable {
        var machine: PGPoolStateMachine
        var connections: [PGPoolStateMachine.ConnectionID: PGConnection] = [:]
        var waiters: [PGPoolStateMachine.WaiterID: CheckedContinuation<Leased, any Error>] = [:]
        var nextWaiterID = 0
        var lastConnectError: PGError?
        var finished = false
    }

    /// A leased connection and its pool number.
    struct Leased: Sendable {
        let id: PGPoolStateMachine.ConnectionID
        let connection: PGConnection
    }

    final class Counters: Sendable {
        let opened = Atomic(0)
        let closed = Atomic(0)
        let connectFailures = Atomic(0)
    }

    func countOpened() { counters.opened.add(1, ordering: .relaxed) }
    func countClosed() { counters.closed.add(1, ordering: .relaxed) }
    func countConnectFailure() { counters.connectFailures.add(1, ordering: .relaxed) }
}

import Logging
import ServiceLifecycle
import Synchronization

/// Pub/sub over one dedicated connection, run as a `Service`.
///
/// `subscribe(channel:)` and `psubscribe(pattern:)` return an `AsyncSequence` of messages once the server has
/// confirmed the subscription. Many subscriptions to one channel share one server subscription. After a
/// reconnect every channel and pattern is subscribed again (messages published while disconnected are lost:
/// pub/sub is fire-and-forget). Publishing goes through ``RedisClient/publish(channel:message:)``.
///
/// The connection also holds a private sentinel subscription so that its subscription count never drops to
/// zero: hiredis 0.14 leaves subscribed mode at zero and would abort on a confirmation that arrives after.
public final class RedisSubscriber: Service, Sendable {
    typealias ConfirmationWaiter = CheckedContinuation<Void, any Error>

    struct Key: Hashable, Sendable {
        enum Kind: Hashable, Sendable { case channel, pattern }
        var kind: Kind
        var name: [UInt8]

        var subscribeCommand: String { kind == .channel ? "SUBSCRIBE" : "PSUBSCRIBE" }
        var unsubscribeCommand: String { kind == .channel ? "UNSUBSCRIBE" : "PUNSUBSCRIBE" }
    }

    /// One subscription: the channels or patterns it listens to, and where their messages go.
    struct Entry {
        var keys: [Key]
        var continuation: AsyncStream<RedisMessage>.Continuation
    }

    struct State {
        var connection: RedisConnection?
        var entries: [Int: Entry] = [:]
        var members: [Key: Set<Int>] = [:]
        var confirmed: Set<Key> = []
        var waiters: [Key: [(id: Int, waiter: ConfirmationWaiter)]] = [:]
        var nextID = 0
        var isShutdown = false
    }

    /// Where it connects and its limits.
    public let configuration: RedisConfiguration
    let loop: IOEventLoop
    let logger: Logger
    let state = Mutex(State())
    let sentinel: [UInt8]

    /// Creates the subscriber; it connects in ``run()``.
    public init(
        configuration: RedisConfiguration, loop: IOEventLoop = .shared,
        logger: Logger = Logger(label: "sufra.redis.subscriber")
    ) {
        self.configuration = configuration
        self.loop = loop
        self.logger = logger
        self.sentinel = Array("__sufra:subscriber:\(UInt64.random(in: .min ... .max))".utf8)
    }

    /// Subscribes to one channel; returns after the server confirmed (waiting through reconnects while Redis is
    /// down; cancel the calling task to give up).
    public func subscribe(channel: String) async throws -> RedisSubscription {
        try await subscribe([Key(kind: .channel, name: Array(channel.utf8))])
    }

    /// Subscribes to several channels at once: their messages arrive on one sequence, in the order the server
    /// sent them. Returns after every one is confirmed. Prefer this to a pattern: Redis matches every published
    /// message against every pattern subscribed on the server, by any client, while a channel is one lookup.
    public func subscribe(channels: [String]) async throws -> RedisSubscription {
        try await subscribe(channels.map { Key(kind: .channel, name: Array($0.utf8)) })
    }

    /// Subscribes to a glob pattern (`PSUBSCRIBE`), e.g. `ws:restaurant:*:orders`.
    public func psubscribe(pattern: String) async throws -> RedisSubscription {
        try await subscribe([Key(kind: .pattern, name: Array(pattern.utf8))])
    }

    /// Keeps the connection (and every subscription) up until graceful shutdown or cancellation; then ends all
    /// subscription sequences.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.maintainConnection() }
            try? await gracefulShutdown()
            shutdown()
            group.cancelAll()
        }
    }
}

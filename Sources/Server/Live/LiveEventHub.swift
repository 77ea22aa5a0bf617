import Actors
import Foundation
import Infra
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import Synchronization

/// Fans dashboard events out to this process's WebSockets.
///
/// One Redis subscription per restaurant per process (`SUBSCRIBE` to its three channels, one ordered sequence;
/// not a pattern, which Redis would match against every message published), opened when the
/// restaurant's first socket connects and closed when its last one leaves, so an event published by any
/// instance reaches every instance's sockets. Each socket has a bounded queue: a socket that falls
/// `socketQueueLimit` frames behind is dropped (its feed ends, the handler closes it) instead of buffering
/// without bound. A socket whose token expires is ended by the hub's once-a-second sweep rather than by a timer
/// of its own. Each event is encoded once and its bytes shared by every socket's frame. The hub takes at most
/// ``LiveSocketLimits`` sockets per restaurant and in all (one restaurant's dashboards cannot spend the cores
/// every restaurant's webhooks need); a socket past them is refused. `run()` owns every subscription task and the
/// sweep.
public final class LiveEventHub: Service, Sendable {
    /// A restaurant's subscription, started by `run()`.
    struct Room: Sendable {
        var restaurantId: String
        var generation: Int
        var stop: AsyncStream<Void>
    }

    /// One connected socket: where its frames go, why it ended, when its token expires.
    private struct Socket {
        var frames: AsyncStream<ByteBuffer>.Continuation
        var ending: LiveFeed.Ending
        var expiresAt: Date
    }

    private struct RoomState {
        var generation: Int
        var sockets: [Int: Socket] = [:]
        var stop: AsyncStream<Void>.Continuation
        var subscribed = false
        /// A refusal at this restaurant's limit was logged; cleared when one of its sockets leaves.
        var refusalLogged = false
    }

    private struct State {
        var rooms: [String: RoomState] = [:]
        var socketRooms: [Int: String] = [:]
        var nextID = 0
        var dropped = 0
        var refused = 0
        var isShutdown = false
        /// A refusal at the process's limit was logged; cleared when a socket leaves.
        var serverRefusalLogged = false
    }

    /// Frames queued per socket before it counts as too slow and is dropped.
    public let socketQueueLimit: Int
    /// Sockets taken per restaurant and in all.
    public let limits: LiveSocketLimits
    private let subscriber: RedisSubscriber
    private let logger: Logger
    private let state = Mutex(State())
    private let starts: AsyncStream<Room>
    private let startSink: AsyncStream<Room>.Continuation
    private let sockets: Meter
    private let subscriptions: Meter
    private let dropped: Counter
    private let refusedRestaurantFull: Counter
    private let refusedServerFull: Counter

    /// Gauge: dashboard WebSockets connected to this process.
    public static let socketsMetric = "sufra_websocket_connections"
    /// Gauge: restaurants with a live-events subscription in this process (a count, no restaurant label).
    public static let subscriptionsMetric = "sufra_websocket_subscriptions"
    /// Counter: dashboard WebSockets dropped for falling `socketQueueLimit` frames behind.
    public static let droppedMetric = "sufra_websocket_slow_dropped_total"
    /// Counter: dashboard WebSockets refused at a limit, by `reason` (`restaurant_full`, `server_full`).
    public static let refusedMetric = "sufra_websocket_refused_total"

    /// Creates the hub over `subscriber` (which must run in the same service group), taking at most `limits`
    /// sockets; `metrics` creates its socket, subscription, dropped- and refused-socket series.
    public init(
        subscriber: RedisSubscriber, socketQueueLimit: Int = 256, limits: LiveSocketLimits = LiveSocketLimits(),
        logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        sockets = Meter(label: Self.socketsMetric, factory: metrics)
        subscriptions = Meter(label: Self.subscriptionsMetric, factory: metrics)
        dropped = Counter(label: Self.droppedMetric, factory: metrics)
        refusedRestaurantFull = Counter(
            label: Self.refusedMetric, dimensions: [("reason", "restaurant_full")], factory: metrics)
        refusedServerFull = Counter(
            label: Self.refusedMetric, dimensions: [("reason", "server_full")], factory: metrics)
        sockets.set(0)
        subscriptions.set(0)
        self.subscriber = subscriber
        self.socketQueueLimit = max(1, socketQueueLimit)
        self.limits = limits
        self.logger = logger
        (starts, startSink) = AsyncStream.makeStream(of: Room.self)
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                // The expiry sweep is a child of this Service's group: it lives exactly as long as the hub runs
                // (cancelled below once `starts` ends at shutdown), and only sleeps and takes the lock, never blocks.
                group.addTask { await self.endExpiredSockets() }
                for await room in starts {
                    group.addTask { await self.serve(room) }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
    }

    /// Registers a socket of `restaurantId` whose token expires at `expiresAt`: its frames arrive on the returned
    /// feed until it is detached, too slow, expired, or the hub shuts down (the feed's ``LiveFeed/ending`` says
    /// which). Throws when the restaurant or the process is at its limit, or the hub is shutting down.
    func attach(restaurantId: String, expiresAt: Date = .distantFuture) throws(LiveSocketRefusal) -> LiveFeed {
        let (frames, continuation) = AsyncStream.makeStream(
            of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(socketQueueLimit))
        let ending = LiveFeed.Ending()
        let admission = state.withLock { state in admit(restaurantId, expiresAt, continuation, ending, &state) }
        switch admission {
        case .attached(let id, let start):
            if let start { startSink.yield(start) }
            return LiveFeed(id: id, frames: frames, ending: ending)
        case .refused(let refusal, let firstOfSpell):
            continuation.finish()
            recordRefusal(refusal, restaurantId: restaurantId, log: firstOfSpell)
            throw refusal
        }
    }

    /// What ``attach(restaurantId:expiresAt:)`` decided under the lock.
    private enum Admission {
        /// Attached as socket `id`; `start` is the restaurant's new subscription, when it is the first socket.
        case attached(id: Int, start: Room?)
        /// Refused; `firstOfSpell` when no refusal at this limit was logged since a socket last left.
        case refused(LiveSocketRefusal, firstOfSpell: Bool)
    }

    /// Takes the socket into `state` unless a limit refuses it (called under the lock).
    private func admit(
        _ restaurantId: String, _ expiresAt: Date, _ frames: AsyncStream<ByteBuffer>.Continuation,
        _ ending: LiveFeed.Ending, _ state: inout State
    ) -> Admission {
        guard !state.isShutdown else { return .refused(.shuttingDown, firstOfSpell: false) }
        if state.socketRooms.count >= limits.total {
            defer { state.serverRefusalLogged = true }
            return .refused(.serverFull(limit: limits.total), firstOfSpell: !state.serverRefusalLogged)
        }
        if let room = state.rooms[restaurantId], room.sockets.count >= limits.perRestaurant {
            defer { state.rooms[restaurantId]?.refusalLogged = true }
            return .refused(.restaurantFull(limit: limits.perRestaurant), firstOfSpell: !room.refusalLogged)
        }
        state.nextID += 1
        let id = state.nextID
        var start: Room?
        if state.rooms[restaurantId] == nil {
            let (stop, stopSink) = AsyncStream.makeStream(of: Void.self)
            state.rooms[restaurantId] = RoomState(generation: id, stop: stopSink)
            start = Room(restaurantId: restaurantId, generation: id, stop: stop)
        }
        state.rooms[restaurantId]?.sockets[id] = Socket(frames: frames, ending: ending, expiresAt: expiresAt)
        state.socketRooms[id] = restaurantId
        record(state)
        return .attached(id: id, start: start)
    }

    /// Counts a refusal at a limit (shutdown is not one) and logs the first of each spell.
    private func recordRefusal(_ refusal: LiveSocketRefusal, restaurantId: String, log firstOfSpell: Bool) {
        switch refusal {
        case .restaurantFull: refusedRestaurantFull.increment()
        case .serverFull: refusedServerFull.increment()
        case .shuttingDown: return
        }
        state.withLock { $0.refused += 1 }
        guard firstOfSpell else { return }
        logger.notice(
            "refused a dashboard socket: \(refusal.closeReason)",
            metadata: ["restaurant": "\(restaurantId)", "limits": "\(limits.perRestaurant)/\(limits.total)"])
    }

    /// Unregisters a socket (idempotent); the restaurant's subscription closes with its last socket.
    func detach(_ feed: LiveFeed) {
        end(remove(socket: feed.id), .detached)
    }

    /// Whether this process is subscribed for `restaurantId` (its sockets receive events from now on).
    public func isSubscribed(restaurantId: String) -> Bool {
        state.withLock { $0.rooms[restaurantId]?.subscribed ?? false }
    }

    /// Sockets connected to this process.
    public var socketCount: Int { state.withLock { $0.socketRooms.count } }

    /// Restaurants with a Redis subscription in this process.
    public var subscriptionCount: Int { state.withLock { $0.rooms.count } }

    /// Sockets dropped for being too slow since start.
    public var droppedCount: Int { state.withLock { $0.dropped } }

    /// Sockets refused at a limit since start.
    public var refusedCount: Int { state.withLock { $0.refused } }

    // MARK: Subscriptions

    /// Forwards one restaurant's events until its last socket leaves (or shutdown).
    private func serve(_ room: Room) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in room.stop {}
            }
            group.addTask { await self.forward(room) }
            await group.next()
            group.cancelAll()
        }
    }

    private func forward(_ room: Room) async {
        let channels = LiveEvent.channels(restaurantId: room.restaurantId)
        while !Task.isCancelled {
            do {
                let subscription = try await subscriber.subscribe(channels: channels)
                state.withLock { state in
                    if state.rooms[room.restaurantId]?.generation == room.generation {
                        state.rooms[room.restaurantId]?.subscribed = true
                    }
                }
                for await message in subscription {
                    // A text frame must be UTF-8; its bytes are then shared by every socket's frame.
                    guard let text = message.string else { continue }
                    fanOut(ByteBuffer(string: text), to: room)
                }
                return
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning(
                    "live events subscription failed; retrying",
                    metadata: ["restaurant": "\(room.restaurantId)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func fanOut(_ frame: ByteBuffer, to room: Room) {
        let sockets = state.withLock { state in
            guard let current = state.rooms[room.restaurantId], current.generation == room.generation else {
                return [Int: Socket]()
            }
            return current.sockets
        }
        var slow: [Int] = []
        for (id, socket) in sockets {
            if case .dropped = socket.frames.yield(frame) { slow.append(id) }
        }
        guard !slow.isEmpty else { return }
        for id in slow {
            guard let socket = remove(socket: id) else { continue }
            end(socket, .tooSlow)
            state.withLock { $0.dropped += 1 }
            dropped.increment()
            logger.info("dropped a slow dashboard socket", metadata: ["restaurant": "\(room.restaurantId)"])
        }
    }

    /// Once a second, ends the sockets whose token has expired (until cancelled).
    private func endExpiredSockets() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(1))
            } catch {
                return
            }
            let now = Date()
            let expired = state.withLock { state in
                state.rooms.values.flatMap { room in room.sockets.filter { $0.value.expiresAt <= now }.keys }
            }
            for id in expired { end(remove(socket: id), .tokenExpired) }
        }
    }

    /// Ends `socket`'s feed for `reason` (nothing when it was already removed).
    private func end(_ socket: Socket?, _ reason: LiveFeed.End) {
        guard let socket else { return }
        socket.ending.record(reason)
        socket.frames.finish()
    }

    /// Forgets socket `id`, stopping its room's subscription when it was the last; returns it.
    private func remove(socket id: Int) -> Socket? {
        state.withLock { state -> Socket? in
            guard let restaurantId = state.socketRooms.removeValue(forKey: id),
                let socket = state.rooms[restaurantId]?.sockets.removeValue(forKey: id)
            else { return nil }
            if state.rooms[restaurantId]?.sockets.isEmpty == true {
                state.rooms.removeValue(forKey: restaurantId)?.stop.finish()
            }
            state.rooms[restaurantId]?.refusalLogged = false
            state.serverRefusalLogged = false
            record(state)
            return socket
        }
    }

    /// Sets the socket and subscription gauges from `state` (called under the lock, so they end at the last count).
    private func record(_ state: State) {
        sockets.set(state.socketRooms.count)
        subscriptions.set(state.rooms.count)
    }

    private func shutdown() {
        let rooms = state.withLock { state -> [RoomState] in
            state.isShutdown = true
            state.socketRooms = [:]
            defer {
                state.rooms = [:]
                record(state)
            }
            return Array(state.rooms.values)
        }
        startSink.finish()
        for room in rooms {
            room.stop.finish()
            for socket in room.sockets.values { end(socket, .shutdown) }
        }
    }
}

import Actors
import Infra
import Logging
import SufraTestSupport
import Testing

@testable import Server

/// The live-event series: a dashboard socket that falls `socketQueueLimit` frames behind is dropped and counted
/// (the connection and subscription gauges follow it out), and events a slow Redis cannot take are dropped oldest
/// first and counted.
@Suite(.timeLimit(.minutes(1))) struct LiveEventHubMetricsTests {
    /// Redis (required), fresh metrics, a subscriber and a client on it, and a quiet logger.
    struct Fixture {
        let metrics = SufraMetrics()
        let subscriber: RedisSubscriber
        let redis: RedisClient
        let logger: Logger

        init() throws {
            try TestServices.require("Redis", url: TestDatabase.redisURL, variable: "REDIS_URL")
            let configuration = try RedisConfiguration(url: TestDatabase.redisURL)
            subscriber = RedisSubscriber(configuration: configuration)
            redis = RedisClient(configuration: configuration)
            var logger = Logger(label: "test")
            logger.logLevel = .error
            self.logger = logger
        }
    }

    @Test func aSocketThatFallsBehindIsDroppedAndCounted() async throws {
        let fixture = try Fixture()
        let (metrics, subscriber, redis, logger) = (fixture.metrics, fixture.subscriber, fixture.redis, fixture.logger)
        let hub = LiveEventHub(subscriber: subscriber, socketQueueLimit: 4, logger: logger, metrics: metrics.factory)
        let restaurant = "metrics-\(UInt64.random(in: 0...UInt64.max))"
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await subscriber.run() }
            group.addTask { try await redis.run() }
            group.addTask { try await hub.run() }
            // A socket whose frames are never read.
            let feed = try hub.attach(restaurantId: restaurant)
            try await eventually("hub subscribed") { hub.isSubscribed(restaurantId: restaurant) }
            // To the restaurant's three channels, not a pattern (Redis would match every PUBLISH against it).
            #expect(LiveEvent.channels(restaurantId: restaurant).count == 3)
            for channel in LiveEvent.channels(restaurantId: restaurant) {
                #expect(try await redis.send(["PUBSUB", "NUMSUB", RedisArgument(channel)]).array?.last?.int == 1)
            }
            let attached = try PrometheusText(metrics.render())
            #expect(attached.value("sufra_websocket_connections") == 1)
            #expect(attached.value("sufra_websocket_subscriptions") == 1)
            #expect(attached.value("sufra_websocket_slow_dropped_total") == 0)
            for index in 0..<10 {
                try await redis.publish(
                    channel: LiveEvent.channelPrefix(restaurantId: restaurant) + "messages", message: "{\"n\":\(index)}"
                )
            }
            try await eventually("the slow socket dropped") { hub.droppedCount == 1 }
            let dropped = try PrometheusText(metrics.render())
            #expect(dropped.value("sufra_websocket_slow_dropped_total") == 1)
            #expect(dropped.value("sufra_websocket_connections") == 0)
            #expect(dropped.value("sufra_websocket_subscriptions") == 0)
            #expect(feed.id > 0)
            group.cancelAll()
        }
    }

    @Test func socketsPastARestaurantsLimitOrTheProcesssAreRefusedAndCounted() throws {
        let fixture = try Fixture()
        let hub = LiveEventHub(
            subscriber: fixture.subscriber, limits: LiveSocketLimits(perRestaurant: 2, total: 3),
            logger: fixture.logger, metrics: fixture.metrics.factory)
        let (a, b, c) = ("limit-a", "limit-b", "limit-c")
        let first = try hub.attach(restaurantId: a)
        _ = try hub.attach(restaurantId: a)
        #expect(throws: LiveSocketRefusal.restaurantFull(limit: 2)) { try hub.attach(restaurantId: a) }
        // Another restaurant still gets in, until the process is full.
        _ = try hub.attach(restaurantId: b)
        #expect(throws: LiveSocketRefusal.serverFull(limit: 3)) { try hub.attach(restaurantId: c) }
        #expect(throws: LiveSocketRefusal.serverFull(limit: 3)) { try hub.attach(restaurantId: b) }
        #expect(hub.socketCount == 3)
        // A socket that leaves makes room for its own restaurant and the others.
        hub.detach(first)
        _ = try hub.attach(restaurantId: c)
        #expect(throws: LiveSocketRefusal.serverFull(limit: 3)) { try hub.attach(restaurantId: a) }
        #expect(hub.refusedCount == 4)
        let text = try PrometheusText(fixture.metrics.render())
        #expect(text.value(LiveEventHub.refusedMetric, ["reason": "restaurant_full"]) == 1)
        #expect(text.value(LiveEventHub.refusedMetric, ["reason": "server_full"]) == 3)
        #expect(text.value(LiveEventHub.socketsMetric) == 3)
    }

    @Test func aFullBufferDropsTheOldestEventsAndCountsEachDrop() async throws {
        let fixture = try Fixture()
        let (metrics, subscriber, redis, logger) = (fixture.metrics, fixture.subscriber, fixture.redis, fixture.logger)
        let events = RedisLiveEvents(client: redis, maximumPending: 2, logger: logger, metrics: metrics.factory)
        let restaurant = "dropped-\(UInt64.random(in: 0...UInt64.max))"
        // Published before the service runs, as when Redis stalls: five events into a buffer of two.
        for index in 1...5 {
            events.publish(
                LiveEvent(kind: .orderUpdated, restaurantId: restaurant, at: "t", dataJSON: "{\"n\":\(index)}"))
        }
        #expect(events.droppedCount == 3)
        #expect(try PrometheusText(metrics.render()).value(RedisLiveEvents.droppedMetric) == 3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await subscriber.run() }
            group.addTask { try await redis.run() }
            let orders = try await subscriber.subscribe(
                channel: LiveEvent.channelPrefix(restaurantId: restaurant) + "orders")
            group.addTask { try await events.run() }
            var frames = orders.makeAsyncIterator()
            // The two newest survive, in order.
            #expect(await frames.next()?.string?.contains("{\"n\":4}") == true)
            #expect(await frames.next()?.string?.contains("{\"n\":5}") == true)
            group.cancelAll()
        }
    }
}

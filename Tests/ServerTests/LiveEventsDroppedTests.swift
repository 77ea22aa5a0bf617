import Actors
import Infra
import Logging
import SufraTestSupport
import Testing

@testable import Server

/// Live events that cannot be published fast enough are dropped oldest first, and every drop is counted.
@Suite(.timeLimit(.minutes(1))) struct LiveEventsDroppedTests {
    @Test func aFullBufferDropsTheOldestEventsAndCountsEachDrop() async throws {
        try TestServices.require("Redis", url: TestDatabase.redisURL, variable: "REDIS_URL")
        let configuration = try RedisConfiguration(url: TestDatabase.redisURL)
        let metrics = SufraMetrics()
        let redis = RedisClient(configuration: configuration)
        let subscriber = RedisSubscriber(configuration: configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .error
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

import Actors
import Infra
import Logging
import SufraTestSupport
import Testing

@testable import Server

/// The hub's WebSocket series: a socket that falls `socketQueueLimit` frames behind is dropped and counted, and
/// the connection and subscription gauges follow it out.
@Suite(.timeLimit(.minutes(1))) struct LiveEventHubMetricsTests {
    @Test func aSocketThatFallsBehindIsDroppedAndCounted() async throws {
        try TestServices.require("Redis", url: TestDatabase.redisURL, variable: "REDIS_URL")
        let configuration = try RedisConfiguration(url: TestDatabase.redisURL)
        let metrics = SufraMetrics()
        let subscriber = RedisSubscriber(configuration: configuration)
        let redis = RedisClient(configuration: configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let hub = LiveEventHub(subscriber: subscriber, socketQueueLimit: 4, logger: logger, metrics: metrics.factory)
        let restaurant = "metrics-\(UInt64.random(in: 0...UInt64.max))"
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await subscriber.run() }
            group.addTask { try await redis.run() }
            group.addTask { try await hub.run() }
            // A socket whose frames are never read.
            let feed = try #require(hub.attach(restaurantId: restaurant))
            try await eventually("hub subscribed") { hub.isSubscribed(restaurantId: restaurant) }
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
}

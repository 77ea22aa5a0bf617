import Actors
import Logging
import SufraTestSupport
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct RedisSubscriberTests {
    @Test func channelAndPatternSubscriptionsReceiveMessages() async throws {
        let prefix = uniqueRedisPrefix("pubsub")
        let configuration = try sharedRedisConfiguration()
        try await withRedisClient(configuration) { redis in
            try await withRedisSubscriber(configuration) { subscriber in
                let channel = try await subscriber.subscribe(channel: prefix + "one")
                let pattern = try await subscriber.psubscribe(pattern: prefix + "*")
                let arabic = "طلب جديد رقم ١٢"
                let binary: [UInt8] = [0, 1, 2, 0xfe, 0xff, 13, 10]
                #expect(try await redis.publish(channel: prefix + "one", message: arabic) == 2)
                try await redis.publish(channel: prefix + "one", message: binary)
                var iterator = channel.makeAsyncIterator()
                #expect(await iterator.next()?.string == arabic)
                #expect(await iterator.next()?.payload == binary)
                var patternIterator = pattern.makeAsyncIterator()
                let viaPattern = await patternIterator.next()
                #expect(viaPattern?.pattern == prefix + "*")
                #expect(viaPattern?.channel == prefix + "one")
                #expect(viaPattern?.string == arabic)
            }
        }
    }

    @Test func severalChannelsArriveOnOneSequenceInOrderAndUnsubscribeTogether() async throws {
        let prefix = uniqueRedisPrefix("several")
        let (a, b, c) = (prefix + "a", prefix + "b", prefix + "c")
        let configuration = try sharedRedisConfiguration()
        try await withRedisClient(configuration) { redis in
            try await withRedisSubscriber(configuration) { subscriber in
                @Sendable func serverSubscribers(_ channel: String) async throws -> Int64? {
                    try await redis.send(["PUBSUB", "NUMSUB", RedisArgument(channel)]).array?.last?.int
                }
                let alone = try await subscriber.subscribe(channel: a)
                func subscribeToAllThenDrop() async throws {
                    let all = try await subscriber.subscribe(channels: [a, b, c, b])
                    for (channel, text) in [(b, "1"), (a, "2"), (c, "3"), (b, "4")] {
                        try await redis.publish(channel: channel, message: text)
                    }
                    // One sequence, in the order Redis sent them, each message once (b was asked for twice).
                    var iterator = all.makeAsyncIterator()
                    var heard: [String] = []
                    for _ in 0..<4 {
                        if let message = await iterator.next() {
                            heard.append("\(message.channel)=\(message.string ?? "")")
                        }
                    }
                    #expect(heard == ["\(b)=1", "\(a)=2", "\(c)=3", "\(b)=4"])
                }
                try await subscribeToAllThenDrop()
                // b and c had no other subscriber here and are unsubscribed; a is still wanted alone.
                try await eventually("b and c unsubscribed") {
                    let (left, right) = (try await serverSubscribers(b), try await serverSubscribers(c))
                    return left == 0 && right == 0
                }
                #expect(try await serverSubscribers(a) == 1)
                try await redis.publish(channel: a, message: "kept")
                var iterator = alone.makeAsyncIterator()
                #expect(await iterator.next()?.string == "2")
                #expect(await iterator.next()?.string == "kept")
            }
        }
    }

    @Test func droppingTheLastSubscriptionUnsubscribes() async throws {
        let channel = uniqueRedisPrefix("unsub") + "c"
        let configuration = try sharedRedisConfiguration()
        try await withRedisClient(configuration) { redis in
            try await withRedisSubscriber(configuration) { subscriber in
                @Sendable func serverSubscribers() async throws -> Int64? {
                    try await redis.send(["PUBSUB", "NUMSUB", RedisArgument(channel)]).array?.last?.int
                }
                func subscribeTwiceDropOne() async throws {
                    let kept = try await subscriber.subscribe(channel: channel)
                    do {
                        let dropped = try await subscriber.subscribe(channel: channel)
                        _ = dropped
                    }
                    // Two local subscriptions share one server subscription; dropping one keeps it.
                    #expect(try await serverSubscribers() == 1)
                    #expect(try await redis.publish(channel: channel, message: "still") == 1)
                    var iterator = kept.makeAsyncIterator()
                    #expect(await iterator.next()?.string == "still")
                }
                try await subscribeTwiceDropOne()
                try await eventually("no subscriber left on the server") { try await serverSubscribers() == 0 }
            }
        }
    }

    @Test func subscriberGetsMessagesAgainAfterRedisRestarts() async throws {
        let server = try PrivateRedisServer()
        defer { server.stop() }
        try await server.waitUntilReady()
        try await withRedisClient(server.configuration) { redis in
            try await withRedisSubscriber(server.configuration) { subscriber in
                let subscription = try await subscriber.subscribe(channel: "orders")
                try await redis.publish(channel: "orders", message: "before")
                var iterator = subscription.makeAsyncIterator()
                #expect(await iterator.next()?.string == "before")

                server.stop()
                try server.start()
                // Publish until the resubscribed connection is back and hears it.
                try await eventually("the resubscribed connection hears a publish") {
                    ((try? await redis.publish(channel: "orders", message: "after")) ?? 0) > 0
                }
                #expect(await iterator.next()?.string == "after")
            }
        }
    }

    @Test func liveEventsArePublishedOnTheContractChannels() async throws {
        let restaurant = uniqueRedisPrefix("bus") + "r1"
        let configuration = try sharedRedisConfiguration()
        #expect(
            LiveEvent(kind: .orderUpdated, restaurantId: "42", at: "", dataJSON: "{}").channel
                == "ws:restaurant:42:orders")
        try await withRedisClient(configuration) { redis in
            try await withRedisSubscriber(configuration) { subscriber in
                let events = RedisLiveEvents(client: redis, logger: Logger(label: "test"))
                let orders = try await subscriber.subscribe(
                    channel: LiveEvent.channelPrefix(restaurantId: restaurant) + "orders")
                await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await events.run() }
                    let data = #"{"name":"شاورما"}"#
                    events.publish(LiveEvent(kind: .messageReceived, restaurantId: restaurant, at: "t", dataJSON: data))
                    events.publish(LiveEvent(kind: .orderUpdated, restaurantId: restaurant, at: "t", dataJSON: data))
                    var iterator = orders.makeAsyncIterator()
                    let frame = await iterator.next()?.string
                    #expect(frame?.contains(#""type":"order.updated""#) == true)
                    #expect(frame?.contains("شاورما") == true)
                    group.cancelAll()
                }
            }
        }
    }
}

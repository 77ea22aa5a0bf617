import Actors
import Testing

@testable import Infra

/// The restaurants' shared send buckets on Redis: every process together gets exactly the burst, then a token per
/// `60 / sendPerMinute` seconds; an empty bucket says in milliseconds how long until its next token.
@Suite(.timeLimit(.minutes(2))) struct RedisSendTokenLeaserTests {
    @Test func twoProcessesTogetherGetExactlyTheBurstAndThenWaitForTheNextToken() async throws {
        let prefix = uniqueRedisPrefix("send-burst")
        let configuration = try sharedRedisConfiguration()
        try await withRedisClient(configuration) { first in
            try await withRedisClient(configuration) { second in
                // 120/min: a burst of 20, then one token every 500 ms (far slower than this test runs).
                let leasers = [
                    RedisSendTokenLeaser(client: first, keyPrefix: prefix),
                    RedisSendTokenLeaser(client: second, keyPrefix: prefix),
                ]
                let leases = try await withThrowingTaskGroup(of: SendTokenLease.self) { group in
                    for index in 0..<40 {
                        group.addTask {
                            try await leasers[index % 2].leaseSendTokens(
                                restaurantId: "r1", sendPerMinute: 120, count: 3)
                        }
                    }
                    return try await group.reduce(into: [SendTokenLease]()) { $0.append($1) }
                }
                let granted = leases.reduce(0) { total, lease in
                    if case .granted(let count) = lease { total + count } else { total }
                }
                #expect(granted == 20)
                let waits = leases.compactMap { lease -> Duration? in
                    if case .wait(let delay) = lease { delay } else { nil }
                }
                #expect(!waits.isEmpty)
                #expect(waits.allSatisfy { $0 > .zero && $0 <= .milliseconds(500) })
            }
        }
    }

    @Test func theBucketRefillsAtTheRateToTheMillisecond() async throws {
        let prefix = uniqueRedisPrefix("send-refill")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let leaser = RedisSendTokenLeaser(client: redis, keyPrefix: prefix)
            // 60/min: burst 10, one token per second.
            #expect(try await leaser.leaseSendTokens(restaurantId: "r2", sendPerMinute: 60, count: 50) == .granted(10))
            // As if 1.5 s had passed: one whole token (the half stays), then half a second to the next.
            let key = leaser.key(restaurantId: "r2")
            let stamp = try #require(try await redis.send(["HGET", RedisArgument(key), "ts"]).int)
            _ = try await redis.send(["HSET", RedisArgument(key), "ts", RedisArgument(Int(stamp) - 1_500)])
            #expect(try await leaser.leaseSendTokens(restaurantId: "r2", sendPerMinute: 60, count: 50) == .granted(1))
            let next = try await leaser.leaseSendTokens(restaurantId: "r2", sendPerMinute: 60, count: 1)
            guard case .wait(let delay) = next else {
                Issue.record("expected a wait")
                return
            }
            #expect(delay > .milliseconds(400) && delay <= .milliseconds(500))
            // One bucket per restaurant, under its hash tag (Redis Cluster keeps a restaurant's keys together).
            #expect(key == "\(prefix)rl:{r2}:s")
            #expect(try await leaser.leaseSendTokens(restaurantId: "r3", sendPerMinute: 60, count: 50) == .granted(10))
        }
    }

    @Test func tokensGivenBackCanBeLeasedAgainUpToTheCapacity() async throws {
        let prefix = uniqueRedisPrefix("send-return")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let leaser = RedisSendTokenLeaser(client: redis, keyPrefix: prefix)
            // 60/min: take the whole burst of 10, give 3 back, lease them again.
            #expect(try await leaser.leaseSendTokens(restaurantId: "r4", sendPerMinute: 60, count: 50) == .granted(10))
            try await leaser.returnSendTokens(restaurantId: "r4", sendPerMinute: 60, count: 3)
            #expect(try await leaser.leaseSendTokens(restaurantId: "r4", sendPerMinute: 60, count: 50) == .granted(3))
            // Never more than the burst, however many come back.
            try await leaser.returnSendTokens(restaurantId: "r4", sendPerMinute: 60, count: 40)
            #expect(try await leaser.leaseSendTokens(restaurantId: "r4", sendPerMinute: 60, count: 50) == .granted(10))
        }
    }
}

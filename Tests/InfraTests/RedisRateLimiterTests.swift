import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct RedisRateLimiterTests {
    /// Moves a bucket's clock back, as if `milliseconds` had passed (no sleeping in tests).
    private func age(_ key: String, by milliseconds: Int, on redis: RedisClient) async throws {
        let stamp = try #require(try await redis.send(["HGET", RedisArgument(key), "ts"]).int)
        _ = try await redis.send(["HSET", RedisArgument(key), "ts", RedisArgument(Int(stamp) - milliseconds)])
    }

    @Test func concurrentCallersGetExactlyTheBurst() async throws {
        let prefix = uniqueRedisPrefix("rl-burst")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            // Customer bucket: 20/min refills one token per 3 s, far slower than this test runs.
            let limiter = RedisRateLimiter(
                client: redis, globalPerMinute: 100_000, customerPerMinute: 20, keyPrefix: prefix)
            let decisions = try await withThrowingTaskGroup(of: RateLimitDecision.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await limiter.check(
                            restaurantId: "r1", customer: "whatsapp:+100", restaurantPerMinute: 1000)
                    }
                }
                return try await group.reduce(into: [RateLimitDecision]()) { $0.append($1) }
            }
            #expect(decisions.filter(\.allowed).count == 20)
            let denied = decisions.filter { !$0.allowed }
            #expect(denied.count == 80)
            #expect(denied.allSatisfy { $0.deniedBy == .customer && (1...3).contains($0.retryAfterSeconds) })
            let keys = limiter.keys(restaurantId: "r1", customer: "whatsapp:+100")
            let tokens = try #require(Double(try await redis.send(["HGET", RedisArgument(keys[2]), "t"]).string ?? ""))
            #expect(tokens >= 0 && tokens < 1)
            // The restaurant bucket lost exactly the 20 allowed, not the denied ones.
            let restaurantTokens = try #require(
                Double(try await redis.send(["HGET", RedisArgument(keys[1]), "t"]).string ?? ""))
            #expect(restaurantTokens >= 980 && restaurantTokens < 981)
        }
    }

    @Test func bucketRefillsContinuouslyUpToCapacity() async throws {
        let prefix = uniqueRedisPrefix("rl-refill")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let limiter = RedisRateLimiter(
                client: redis, globalPerMinute: 100_000, customerPerMinute: 10_000, keyPrefix: prefix)
            let key = limiter.keys(restaurantId: "r2", customer: "c")[1]
            for _ in 0..<6 {
                #expect(try await limiter.check(restaurantId: "r2", customer: "c", restaurantPerMinute: 6).allowed)
            }
            let denied = try await limiter.check(restaurantId: "r2", customer: "c", restaurantPerMinute: 6)
            #expect(!denied.allowed && denied.deniedBy == .restaurant)
            // 6/min = one token per 10 s; a slow machine may have let a few seconds pass since the first take.
            #expect((5...10).contains(denied.retryAfterSeconds))
            // 25 s later: 2.5 tokens refilled, so exactly 2 pass.
            try await age(key, by: 25_000, on: redis)
            var passed = 0
            for _ in 0..<4
            where try await limiter.check(restaurantId: "r2", customer: "c", restaurantPerMinute: 6).allowed {
                passed += 1
            }
            #expect(passed == 2)
            // An hour later the bucket is full again, never above capacity.
            try await age(key, by: 3_600_000, on: redis)
            passed = 0
            for _ in 0..<10
            where try await limiter.check(restaurantId: "r2", customer: "c", restaurantPerMinute: 6).allowed {
                passed += 1
            }
            #expect(passed == 6)
        }
    }

    @Test func restaurantsAndCustomersAreIndependentButGlobalIsShared() async throws {
        let prefix = uniqueRedisPrefix("rl-indep")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let limiter = RedisRateLimiter(client: redis, globalPerMinute: 8, customerPerMinute: 3, keyPrefix: prefix)
            var results: [String: Int] = [:]
            for (restaurant, customer) in [("a", "x"), ("a", "y"), ("b", "x")] {
                for _ in 0..<5
                where try await limiter.check(restaurantId: restaurant, customer: customer, restaurantPerMinute: 5)
                    .allowed
                {
                    results["\(restaurant)/\(customer)", default: 0] += 1
                }
            }
            // a/x: customer burst 3; a/y: restaurant a has 2 left; b/x: its own restaurant and customer buckets,
            // but the global bucket (8) has only 3 left.
            #expect(results == ["a/x": 3, "a/y": 2, "b/x": 3])
            let blocked = try await limiter.check(restaurantId: "c", customer: "z", restaurantPerMinute: 5)
            #expect(!blocked.allowed && blocked.deniedBy == .global)
            #expect(blocked.retryAfterSeconds >= 1)
        }
    }

    @Test func bucketKeysExpireWhenIdle() async throws {
        let prefix = uniqueRedisPrefix("rl-ttl")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let limiter = RedisRateLimiter(
                client: redis, globalPerMinute: 6, customerPerMinute: 2, keyPrefix: prefix)
            _ = try await limiter.check(restaurantId: "r", customer: "c", restaurantPerMinute: 3)
            let keys = limiter.keys(restaurantId: "r", customer: "c")
            #expect(keys[1].contains("{r}") && keys[2].contains("{r}"))
            // One token below full: back to full in 60 s / limit, plus a second of slack.
            // (Long refill times keep the keys alive even when a loaded machine stalls the test for a while.)
            let expected = [10_000 + 1000, 20_000 + 1000, 30_000 + 1000]
            for (key, bound) in zip(keys, expected) {
                let ttl = try #require(try await redis.send(["PTTL", RedisArgument(key)]).int)
                #expect(ttl > 0 && ttl <= bound, "\(key) ttl \(ttl)")
            }
        }
    }

    @Test func zeroLimitDeniesWithoutCrashing() async throws {
        let prefix = uniqueRedisPrefix("rl-zero")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let limiter = RedisRateLimiter(client: redis, keyPrefix: prefix)
            let decision = try await limiter.check(restaurantId: "r", customer: "c", restaurantPerMinute: 0)
            #expect(!decision.allowed && decision.deniedBy == .restaurant && decision.retryAfterSeconds == 60)
        }
    }
}

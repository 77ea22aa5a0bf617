import Actors
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct RedisTokenLeaserTests {
    /// Moves a bucket's clock back, as if `milliseconds` had passed (no sleeping in tests).
    private func age(_ key: String, by milliseconds: Int, on redis: RedisClient) async throws {
        let stamp = try #require(try await redis.send(["HGET", RedisArgument(key), "ts"]).int)
        _ = try await redis.send(["HSET", RedisArgument(key), "ts", RedisArgument(Int(stamp) - milliseconds)])
    }

    private func slices(
        restaurant: String = "r1", customer: String = "c", global: Int = 100_000, restaurantLimit: Int = 1000,
        customerLimit: Int = 20, count: Int = 1
    ) -> [TokenSlice] {
        [
            TokenSlice(bucket: .global, restaurantId: restaurant, customer: customer, perMinute: global, count: count),
            TokenSlice(
                bucket: .restaurant, restaurantId: restaurant, customer: customer, perMinute: restaurantLimit,
                count: count),
            TokenSlice(
                bucket: .customer, restaurantId: restaurant, customer: customer, perMinute: customerLimit,
                count: count),
        ]
    }

    @Test func concurrentLeasesGetExactlyTheBurstAndDeniedOnesTakeNothing() async throws {
        let prefix = uniqueRedisPrefix("lease-burst")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            // Customer bucket: 20/min refills one token per 3 s, far slower than this test runs.
            let leaser = RedisTokenLeaser(client: redis, keyPrefix: prefix)
            let request = slices(customer: "whatsapp:+100")
            let leases = try await withThrowingTaskGroup(of: TokenLease.self) { group in
                for _ in 0..<100 { group.addTask { try await leaser.lease(request) } }
                return try await group.reduce(into: [TokenLease]()) { $0.append($1) }
            }
            #expect(leases.filter { $0 == .granted([1, 1, 1]) }.count == 20)
            let denied = leases.filter {
                if case .denied(.customer, let wait) = $0 { (1...3).contains(wait) } else { false }
            }
            #expect(denied.count == 80)
            // The restaurant bucket lost exactly the 20 granted, not the denied ones.
            let restaurantTokens = try #require(
                Double(try await redis.send(["HGET", RedisArgument(leaser.key(request[1])), "t"]).string ?? ""))
            #expect(restaurantTokens >= 980 && restaurantTokens < 981)
        }
    }

    @Test func aSliceTakesWhatTheBucketHasUpToTheCount() async throws {
        let prefix = uniqueRedisPrefix("lease-slice")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let leaser = RedisTokenLeaser(client: redis, keyPrefix: prefix)
            // 20/min customer bucket: slices of 6 give 6, 6, 6, then the 2 left, then a denial.
            var granted: [Int] = []
            for _ in 0..<4 {
                guard case .granted(let counts) = try await leaser.lease(slices(count: 6)) else { break }
                granted.append(counts[2])
            }
            #expect(granted == [6, 6, 6, 2])
            #expect(try await leaser.lease(slices(count: 6)) == .denied(.customer, retryAfterSeconds: 3))
        }
    }

    @Test func bucketRefillsContinuouslyUpToCapacity() async throws {
        let prefix = uniqueRedisPrefix("lease-refill")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let leaser = RedisTokenLeaser(client: redis, keyPrefix: prefix)
            let request = slices(restaurantLimit: 6, customerLimit: 10_000)
            #expect(
                try await leaser.lease(slices(restaurantLimit: 6, customerLimit: 10_000, count: 6))
                    == .granted([6, 6, 6]))
            guard case .denied(.restaurant, let wait) = try await leaser.lease(request) else {
                Issue.record("expected the restaurant bucket to deny")
                return
            }
            // 6/min = one token per 10 s; a slow machine may have let a few seconds pass since the first take.
            #expect((5...10).contains(wait))
            // 25 s later: 2.5 tokens refilled, so a slice of 6 gets exactly 2.
            try await age(leaser.key(request[1]), by: 25_000, on: redis)
            #expect(
                try await leaser.lease(slices(restaurantLimit: 6, customerLimit: 10_000, count: 6))
                    == .granted([6, 2, 6]))
            // An hour later the bucket is full again, never above capacity.
            try await age(leaser.key(request[1]), by: 3_600_000, on: redis)
            #expect(
                try await leaser.lease(slices(restaurantLimit: 6, customerLimit: 10_000, count: 50))
                    == .granted([50, 6, 50]))
        }
    }

    @Test func bucketKeysShareTheRestaurantsHashSlotAndExpireWhenIdle() async throws {
        let prefix = uniqueRedisPrefix("lease-ttl")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let leaser = RedisTokenLeaser(client: redis, keyPrefix: prefix)
            let request = slices(restaurant: "r", customer: "c", global: 6, restaurantLimit: 3, customerLimit: 2)
            _ = try await leaser.lease(request)
            let keys = request.map(leaser.key)
            #expect(keys[1].contains("{r}") && keys[2].contains("{r}"))
            // One token below full: back to full in 60 s / limit, plus a second of slack.
            let expected = [10_000 + 1000, 20_000 + 1000, 30_000 + 1000]
            for (key, bound) in zip(keys, expected) {
                let ttl = try #require(try await redis.send(["PTTL", RedisArgument(key)]).int)
                #expect(ttl > 0 && ttl <= bound, "\(key) ttl \(ttl)")
            }
        }
    }

    @Test func zeroLimitDeniesWithoutCrashing() async throws {
        let prefix = uniqueRedisPrefix("lease-zero")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let leaser = RedisTokenLeaser(client: redis, keyPrefix: prefix)
            let lease = try await leaser.lease(slices(restaurantLimit: 0))
            #expect(lease == .denied(.restaurant, retryAfterSeconds: 60))
        }
    }
}

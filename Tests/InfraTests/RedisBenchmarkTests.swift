import Foundation
import Testing

@testable import Infra

/// Throughput numbers, not assertions: run with `SUFRA_REDIS_BENCH=1 swift test -c release --filter RedisBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SUFRA_REDIS_BENCH"] == "1"), .timeLimit(.minutes(15)))
struct RedisBenchmarkTests {
    @Test func commandsPerSecond() async throws {
        let prefix = uniqueRedisPrefix("bench")
        var configuration = try sharedRedisConfiguration()
        configuration.poolSize = 4
        try await withRedisClient(configuration) { redis in
            let clock = ContinuousClock()
            let count = 20_000

            // One caller, one command at a time: a round trip each.
            var start = clock.now
            for index in 0..<2_000 {
                _ = try await redis.send(["SET", RedisArgument(prefix + "s"), RedisArgument(index)])
            }
            let sequential = 2_000 / Self.seconds(clock.now - start)

            // 100 concurrent callers: their commands share connections and pipeline themselves.
            start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<100 {
                    group.addTask {
                        for index in 0..<(count / 100) {
                            _ = try await redis.send([
                                "SET", RedisArgument(prefix + "c\(worker)"), RedisArgument(index),
                            ])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let concurrent = Double(count) / Self.seconds(clock.now - start)

            // Explicit pipelines of 100 commands.
            start = clock.now
            for _ in 0..<(count / 100) {
                _ = try await redis.pipeline((0..<100).map { ["INCR", RedisArgument(prefix + "p\($0 % 10)")] })
            }
            let pipelined = Double(count) / Self.seconds(clock.now - start)

            // Rate-limit checks (one EVALSHA each), 100 concurrent callers over 100 restaurants.
            let limiter = RedisRateLimiter(
                client: redis, globalPerMinute: 100_000_000, customerPerMinute: 1_000_000, keyPrefix: prefix)
            start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<100 {
                    group.addTask {
                        for index in 0..<100 {
                            _ = try await limiter.check(
                                restaurantId: "r\(worker)", customer: "c\(index)", restaurantPerMinute: 1_000_000)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let checks = 10_000 / Self.seconds(clock.now - start)
            print(
                "redis bench: sequential \(Int(sequential))/s, concurrent \(Int(concurrent))/s, "
                    + "pipelined \(Int(pipelined))/s, rate-limit checks \(Int(checks))/s")
            let keys = try await redis.send(["KEYS", RedisArgument(prefix + "*")]).array ?? []
            for key in keys {
                if let bytes = key.bytes { _ = try await redis.send(["DEL", RedisArgument(bytes: bytes)]) }
            }
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

import MetricsTestKit
import Testing

@testable import Infra

/// The PostgreSQL pool and the Redis client record through the factory they are given: lease times, connections
/// in use and waiters; command times by command name and failures by kind.
@Suite(.serialized, .timeLimit(.minutes(2))) struct InfraMetricsTests {
    @Test func poolRecordsLeasesInUseAndWaiters() async throws {
        let metrics = TestMetrics()
        var options = PGPool.Options()
        options.maximumConnections = 2
        let pool = PGPool(
            configuration: try PostgresTestSupport.serverConfiguration(), options: options,
            metrics: PGPoolMetrics(factory: metrics))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            try await pool.withConnection { connection in
                _ = try await connection.query("SELECT 1 AS one")
                #expect(try metrics.expectMeter(PGPoolMetrics.inUse).lastValue == 1)
            }
            try await withThrowingTaskGroup(of: Void.self) { callers in
                for _ in 0..<10 {
                    callers.addTask { _ = try await pool.query("SELECT pg_sleep(0.05)") }
                }
                try await callers.waitForAll()
            }
            group.cancelAll()
        }
        #expect(try metrics.expectTimer(PGPoolMetrics.acquireDuration).values.count == 11)
        let inUse = try metrics.expectMeter(PGPoolMetrics.inUse)
        #expect(inUse.lastValue == 0)
        #expect(inUse.values.allSatisfy { $0 >= 0 && $0 <= 2 })
        let waiters = try metrics.expectMeter(PGPoolMetrics.waiters)
        #expect(waiters.lastValue == 0)
        #expect(waiters.values.contains { $0 > 2 }, "ten callers on two connections: some waited")
        #expect(try metrics.expectCounter(PGPoolMetrics.acquireFailures).totalValue == 0)
    }

    @Test func redisRecordsCommandTimesAndErrorsByKind() async throws {
        let metrics = TestMetrics()
        let client = RedisClient(configuration: try sharedRedisConfiguration(), metrics: RedisMetrics(factory: metrics))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            _ = try await client.send(["PING"])
            _ = try await client.send(["ping"])
            _ = try await client.pipeline([["PING"], ["PING"]])
            await #expect(throws: RedisError.self) { _ = try await client.send(["INCR", "k", "too", "many"]) }
            group.cancelAll()
        }
        #expect(try metrics.expectTimer(RedisMetrics.commandDuration, [("command", "PING")]).values.count == 2)
        #expect(try metrics.expectTimer(RedisMetrics.commandDuration, [("command", "PIPELINE")]).values.count == 1)
        #expect(try metrics.expectTimer(RedisMetrics.commandDuration, [("command", "INCR")]).values.count == 1)
        #expect(try metrics.expectCounter(RedisMetrics.errors, [("kind", "server")]).totalValue == 1)
    }

    @Test func commandLabelsAreCommandNamesOrOther() {
        #expect(RedisMetrics.commandLabel(Array("evalsha".utf8)) == "EVALSHA")
        #expect(RedisMetrics.commandLabel(Array("ws:restaurant:1".utf8)) == "OTHER")
        #expect(RedisMetrics.commandLabel(Array("+966512345678".utf8)) == "OTHER")
        #expect(RedisMetrics.commandLabel(Array(repeating: UInt8(ascii: "A"), count: 25)) == "OTHER")
        #expect(RedisMetrics.commandLabel(nil) == "OTHER")
    }
}

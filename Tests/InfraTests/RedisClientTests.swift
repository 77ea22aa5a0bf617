import SufraTestSupport
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct RedisClientTests {
    @Test func sendPipelineAndMultiExec() async throws {
        let prefix = uniqueRedisPrefix("client")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            #expect(try await redis.send(["SET", prefix + "a", "1", "EX", "60"]) == .simpleString("OK"))
            let replies = try await redis.pipeline([
                ["MULTI"], ["INCR", RedisArgument(prefix + "a")], ["INCR", RedisArgument(prefix + "a")], ["EXEC"],
            ])
            #expect(replies.last == .array([.integer(2), .integer(3)]))
            _ = try await redis.send(["DEL", prefix + "a"])
        }
    }

    @Test func evalUsesEvalshaAndFallsBackOnNoscript() async throws {
        let prefix = uniqueRedisPrefix("eval")
        // A source no server has seen: the first EVALSHA answers NOSCRIPT, EVAL loads it, the next EVALSHA hits.
        let script = RedisScript("return {KEYS[1], ARGV[1], '\(prefix)'}")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            #expect(try await redis.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(0)]))
            let first = try await redis.eval(script, keys: ["k"], arguments: ["v"])
            #expect(first.array?.map(\.string) == ["k", "v", prefix])
            #expect(try await redis.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(1)]))
            let second = try await redis.eval(script, keys: ["k2"], arguments: ["v2"])
            #expect(second.array?.first?.string == "k2")
        }
    }

    @Test func poolReconnectsAfterClientKillAndNeverMisroutesReplies() async throws {
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let admin = try await RedisConnection.connect(configuration: try sharedRedisConfiguration())
            for round in 0..<3 {
                let ids = try await withThrowingTaskGroup(of: Int64?.self) { group in
                    for _ in 0..<8 { group.addTask { try await redis.send(["CLIENT", "ID"]).int } }
                    return try await group.reduce(into: Set<Int64>()) { if let id = $1 { $0.insert(id) } }
                }
                let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<1000 {
                        group.addTask {
                            do {
                                let token = "r\(round)-\(index)"
                                #expect(try await redis.send(["ECHO", RedisArgument(token)]).string == token)
                                return true
                            } catch {
                                #expect((error as? RedisError)?.code == .connection)
                                return false
                            }
                        }
                        if index == 200 {
                            for id in ids {
                                _ = try await admin.send(["CLIENT", "KILL", "ID", RedisArgument(Int(id))])
                            }
                        }
                    }
                    return try await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(outcomes.count == 1000)
                // The pool replaced the killed connections: commands work again.
                try await eventually("commands work again") {
                    (try? await redis.send(["PING"])) == .simpleString("PONG")
                }
            }
            await admin.close()
        }
    }

    @Test func callersFailFastWhileRedisIsDownAndRecoverAfter() async throws {
        let server = try PrivateRedisServer()
        defer { server.stop() }
        try await server.waitUntilReady()
        try await withRedisClient(server.configuration) { redis in
            #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
            server.stop()
            try await eventually("commands fail with a connection error") {
                do {
                    _ = try await redis.send(["PING"])
                    return false
                } catch {
                    return (error as? RedisError)?.code == .connection
                }
            }
            try server.start()
            try await eventually("commands work again") { (try? await redis.send(["PING"])) == .simpleString("PONG") }
        }
    }
}

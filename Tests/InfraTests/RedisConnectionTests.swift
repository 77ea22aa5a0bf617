import Synchronization
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct RedisConnectionTests {
    @Test func thousandPipelinedCommandsReturnInOrder() async throws {
        let connection = try await RedisConnection.connect(configuration: sharedRedisConfiguration())
        let prefix = uniqueRedisPrefix("pipeline")
        let commands: [[RedisArgument]] = (0..<1000).map { ["ECHO", RedisArgument("\(prefix)\($0)")] }
        let replies = try await connection.pipeline(commands)
        #expect(replies.map(\.string) == (0..<1000).map { "\(prefix)\($0)" })
        // And many concurrent single sends on the same connection, each with its own reply.
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<500 {
                group.addTask { try await connection.send(["ECHO", RedisArgument("\(index)")]).string == "\(index)" }
            }
            for try await matched in group { #expect(matched) }
        }
        await connection.close()
    }

    @Test func binaryAndArabicPayloadsRoundTrip() async throws {
        let connection = try await RedisConnection.connect(configuration: sharedRedisConfiguration())
        let key = uniqueRedisPrefix("binary") + "k"
        let binary = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) } + [0, 0, 13, 10, 0xff]
        let arabic = "مرحبا بكم في سفرة 🍽️ — طلب رقم ٣"
        _ = try await connection.send(["SET", RedisArgument(key), RedisArgument(bytes: binary), "EX", 60])
        #expect(try await connection.send(["GET", RedisArgument(key)]).bytes == binary)
        _ = try await connection.send(["SET", RedisArgument(key), RedisArgument(arabic), "EX", 60])
        #expect(try await connection.send(["GET", RedisArgument(key)]).string == arabic)
        #expect(try await connection.send(["GET", RedisArgument(key + ":missing")]) == .null)
        _ = try await connection.send(["DEL", RedisArgument(key)])
        await connection.close()
    }

    @Test func tenMegabyteValueIsRefusedClientSide() async throws {
        let connection = try await RedisConnection.connect(configuration: sharedRedisConfiguration())
        let big = [UInt8](repeating: 0x61, count: 10 * 1024 * 1024)
        await #expect {
            _ = try await connection.send(["SET", "test:big", RedisArgument(bytes: big)])
        } throws: { error in
            (error as? RedisError)?.code == .commandTooLarge
        }
        // Nothing was sent; the connection still works.
        #expect(try await connection.send(["PING"]) == .simpleString("PONG"))
        await connection.close()
    }

    @Test func serverErrorIsThrownAsServerError() async throws {
        let connection = try await RedisConnection.connect(configuration: sharedRedisConfiguration())
        await #expect {
            _ = try await connection.send(["NOSUCHCOMMAND"])
        } throws: { error in
            (error as? RedisError)?.code == .server
        }
        let replies = try await connection.pipeline([["PING"], ["NOSUCHCOMMAND"], ["ECHO", "after"]])
        guard case .error = replies[1] else { Issue.record("expected an error element"); return }
        #expect(replies[2].string == "after")
        await connection.close()
    }

    @Test func clientKillMidStreamFailsCallersNeverMisroutes() async throws {
        let connection = try await RedisConnection.connect(configuration: sharedRedisConfiguration())
        let id = try #require(try await connection.send(["CLIENT", "ID"]).int)
        let killer = try await RedisConnection.connect(configuration: sharedRedisConfiguration())
        let replies = ReplyCounter()
        // 50 callers keep commands in flight until the connection dies under them; the kill lands once 300 replies
        // came back, so it always hits a stream in progress, however fast or slow the machine is.
        let outcomes = try await withThrowingTaskGroup(of: (ok: Int, failed: Int).self) { group in
            for caller in 0..<50 {
                group.addTask {
                    var ok = 0
                    for index in 0... {
                        do {
                            let token = "token-\(caller)-\(index)"
                            let reply = try await connection.send(["ECHO", RedisArgument(token)])
                            // A reply, when there is one, is this caller's own.
                            #expect(reply.string == token)
                            ok += 1
                            replies.value.add(1, ordering: .relaxed)
                        } catch {
                            #expect((error as? RedisError)?.code == .connection)
                            return (ok, 1)
                        }
                    }
                    return (ok, 0)
                }
            }
            group.addTask {
                while replies.value.load(ordering: .relaxed) < 300 {
                    try Task.checkCancellation()  // the suite's time limit ends a stalled stream
                    await Task.yield()
                }
                _ = try await killer.send(["CLIENT", "KILL", "ID", RedisArgument(Int(id))])
                return (0, 0)
            }
            var total = (ok: 0, failed: 0)
            for try await outcome in group {
                total.ok += outcome.ok
                total.failed += outcome.failed
            }
            return total
        }
        #expect(outcomes.ok >= 300)
        #expect(outcomes.failed == 50, "every caller ends with a connection error, none with a wrong reply")
        #expect(await connection.isClosed)
        await killer.close()
    }

    @Test func missedDeadlineDropsTheConnectionAndFailsEveryPendingCaller() async throws {
        let server = try PrivateRedisServer()
        defer { server.stop() }
        try await server.waitUntilReady()
        var configuration = server.configuration
        configuration.commandTimeout = .milliseconds(200)
        let admin = try await RedisConnection.connect(configuration: server.configuration)
        let connection = try await RedisConnection.connect(configuration: configuration)
        _ = try await admin.send(["CLIENT", "PAUSE", "1000", "ALL"])
        let clock = ContinuousClock()
        let start = clock.now
        let results = await withTaskGroup(of: RedisError.Code?.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do {
                        _ = try await connection.send(["PING"])
                        return nil
                    } catch {
                        return (error as? RedisError)?.code
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0 == .timeout })
        #expect(clock.now - start < .milliseconds(900))
        #expect(await connection.isClosed)
        await admin.close()
    }

    @Test func authAndSelectComeFromTheConfiguration() async throws {
        let server = try PrivateRedisServer()
        defer { server.stop() }
        try await server.waitUntilReady()
        let admin = try await RedisConnection.connect(configuration: server.configuration)
        _ = try await admin.send(["CONFIG", "SET", "requirepass", "p@ss word"])
        var configuration = try RedisConfiguration(url: "redis://:p%40ss%20word@127.0.0.1:\(server.port)/5")
        configuration.connectTimeout = .seconds(2)
        let connection = try await RedisConnection.connect(configuration: configuration)
        _ = try await connection.send(["SET", "where", "five"])
        #expect(try await connection.send(["CLIENT", "INFO"]).string?.contains("db=5") == true)
        var wrong = configuration
        wrong.password = "nope"
        await #expect {
            _ = try await RedisConnection.connect(configuration: wrong)
        } throws: { error in
            (error as? RedisError)?.code == .server
        }
        await connection.close()
        await admin.close()
    }

    @Test func connectToAClosedPortFailsWithConnectionError() async throws {
        let server = try PrivateRedisServer()
        server.stop()
        await #expect {
            _ = try await RedisConnection.connect(configuration: server.configuration)
        } throws: { error in
            (error as? RedisError)?.code == .connection
        }
    }
}

/// Replies counted across the callers of one test.
private final class ReplyCounter: Sendable {
    let value = Atomic<Int>(0)
}

/// Host names are resolved off the event loop, then hiredis connects to the address.
@Suite struct HostResolverTests {
    @Test func numericAddressesPassThroughAndNamesResolve() async throws {
        #expect(try await HostResolver.resolve("127.0.0.1", timeout: .seconds(2)) == ["127.0.0.1"])
        #expect(try await HostResolver.resolve("::1", timeout: .seconds(2)) == ["::1"])
        let localhost = try await HostResolver.resolve("localhost", timeout: .seconds(5))
        #expect(!localhost.isEmpty && localhost.allSatisfy(HostResolver.isNumeric))
        #expect(localhost.contains("127.0.0.1") || localhost.contains("::1"))
        await #expect(throws: HostResolver.Failure.self) {
            try await HostResolver.resolve("no-such-host.invalid", timeout: .seconds(5))
        }
    }

    @Test func redisConnectsByHostName() async throws {
        var configuration = try sharedRedisConfiguration()
        try #require(configuration.host == "127.0.0.1", "the test Redis listens on 127.0.0.1")
        configuration.host = "localhost"
        let connection = try await RedisConnection.connect(configuration: configuration)
        #expect(HostResolver.isNumeric(connection.address))
        #expect(try await connection.send(["PING"]) == .simpleString("PONG"))
        await connection.close()
    }
}

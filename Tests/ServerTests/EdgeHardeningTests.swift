import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import Infra
@testable import Server

/// ADMIN_TOKEN rules, the health answer's privacy and cost, the tenant token's sources, slow HTTP clients.
@Suite struct EdgeHardeningTests {
    @Test func adminTokenMustHaveAtLeast32Bytes() throws {
        let base = [
            "DATABASE_URL": "postgres://u@127.0.0.1/db", "MASTER_KEY": SufraTestApp.masterKey,
            "JWT_SECRET": "jwt-secret-for-tests-0123456789abcdef",
        ]
        var short = base
        short["ADMIN_TOKEN"] = "too-short"
        do {
            try SufraConfiguration(environment: short).requireServing()
            Issue.record("a 9-byte ADMIN_TOKEN was accepted")
        } catch {
            #expect(error.description.hasPrefix("ADMIN_TOKEN is invalid: must be at least 20 bytes"))
            #expect(!error.description.contains("too-short"))
        }
        var acceptable = base
        acceptable["ADMIN_TOKEN"] = String(repeating: "a", count: 20)
        try SufraConfiguration(environment: acceptable).requireServing()
        #expect(
            try SufraConfiguration(environment: acceptable).warnings.contains { $0.hasPrefix("ADMIN_TOKEN is shorter") }
        )
        var long = base
        long["ADMIN_TOKEN"] = String(repeating: "a", count: 32)
        try SufraConfiguration(environment: long).requireServing()
        #expect(try !SufraConfiguration(environment: long).warnings.contains { $0.hasPrefix("ADMIN_TOKEN") })
        try SufraConfiguration(environment: base).requireServing()  // no token: admin API off
    }

    @Test func bearerComparisonChecksLengths() {
        let token = Array("0123456789abcdef0123456789abcdef".utf8)
        #expect(BearerTokenMiddleware<SufraRequestContext>.constantTimeEqual(token, token))
        #expect(!BearerTokenMiddleware<SufraRequestContext>.constantTimeEqual(Array(token.dropLast()), token))
        #expect(!BearerTokenMiddleware<SufraRequestContext>.constantTimeEqual(token + [0x30], token))
        #expect(!BearerTokenMiddleware<SufraRequestContext>.constantTimeEqual([], token))
        // 256 bytes longer: a length folded into one byte would compare equal.
        #expect(
            !BearerTokenMiddleware<SufraRequestContext>.constantTimeEqual(
                token + Array(repeating: 0, count: 256), token))
    }

    @Test func healthReasonsNameTheKindOnly() {
        let connect = PGError(
            .connectionFailed,
            #"connection to server at "10.0.0.5", port 5432 failed: FATAL: password authentication failed for user "sufra""#
        )
        #expect(HealthController.reason(connect) == "connectionFailed")
        let server = PGError(.server, "relation \"messages\" does not exist", sqlState: "42P01")
        #expect(HealthController.reason(server) == "server 42P01")
        #expect(
            HealthController.reason(RedisError(.connection, "connect to redis://:pw@10.0.0.6:6379 failed"))
                == "connection")
        #expect(HealthController.reason(CancellationError()) == "cancelled")
    }

    @Test func healthProbesRunOncePerSecondWhateverTheLoad() async throws {
        let clock = TestInstant()
        let cache = SnapshotCache<Int>(ttl: .seconds(1), now: { clock.now })
        let gate = AsyncGate()
        let values = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    await cache.value {
                        await gate.wait()
                        return 7
                    }
                }
            }
            while cache.probeCount == 0 { await Task.yield() }
            gate.open()
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values.count == 100)
        #expect(values.allSatisfy { $0 == 7 })
        #expect(cache.probeCount == 1)
        #expect(await cache.value { 8 } == 7)  // still fresh
        clock.advance(by: .milliseconds(1_001))
        #expect(await cache.value { 9 } == 9)
        #expect(cache.probeCount == 2)
    }

    @Test func tenantAuthTokenComesFromStdinEnvironmentOrArgument() throws {
        #expect(
            try TenantCommands.authToken(argument: "-", environment: [:], standardInput: { "tok-stdin" }) == "tok-stdin"
        )
        #expect(
            try TenantCommands.authToken(
                argument: nil, environment: ["TWILIO_AUTH_TOKEN": "tok-env"], standardInput: { nil })
                == "tok-env")
        #expect(
            try TenantCommands.authToken(
                argument: "tok-argv", environment: ["TWILIO_AUTH_TOKEN": "tok-env"], standardInput: { nil })
                == "tok-argv")
        #expect(throws: CommandError.self) {
            try TenantCommands.authToken(argument: "-", environment: [:], standardInput: { nil })
        }
        #expect(throws: CommandError.self) {
            try TenantCommands.authToken(argument: nil, environment: [:], standardInput: { "ignored" })
        }
    }

    @Test func masterKeyRingFromTheEnvironment() throws {
        let old = SufraTestApp.masterKey
        let new = Data((0..<32).map { UInt8(255 - $0) }).base64EncodedString()
        let single = try SufraConfiguration(environment: ["MASTER_KEY": old]).secretBox()
        #expect(single.current.id == "k1")
        let rotated = try SufraConfiguration(environment: ["MASTER_KEY": "k2:\(new)", "MASTER_KEY_PREVIOUS": old])
            .secretBox()
        #expect(rotated.current.id == "k2")
        let sealedOld = try single.seal("tok", associatedData: "r1")
        #expect(try rotated.open(sealedOld, associatedData: "r1") == "tok")
        let ring = try SufraConfiguration(environment: ["MASTER_KEYS": "k2:\(new), k1:\(old)", "MASTER_KEY": "ignored"])
            .secretBox()
        #expect(ring.current.id == "k2")
        #expect(try ring.open(sealedOld, associatedData: "r1") == "tok")
        for bad in [["MASTER_KEYS": "k1:\(old),k1:\(new)"], ["MASTER_KEY": "k2:short"], [:]] {
            #expect(throws: ConfigurationError.self) { try SufraConfiguration(environment: bad).secretBox() }
        }
    }

    @Test func slowClientIsDisconnectedWhileSendingItsHead() async throws {
        try await SufraTestApp.run(overrides: ["HTTP_IDLE_TIMEOUT_SECONDS": "1"]) { _, client, _ in
            let port = try #require(client.port)
            let clock = ContinuousClock()
            let started = clock.now
            // A slowloris: a request head that never ends.
            let slow = try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask {
                    try await Self.exchange(port: port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(15))
                    return nil  // never closed: fail instead of hanging
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            #expect(slow == "", "the server must close a connection stalled in its request head")
            #expect(clock.now - started < .seconds(10))
            // A client that finishes its head is served as usual (on a new connection: the test client's
            // own keep-alive connection has been idle longer than the 1 s timeout and is gone too).
            let served = try await Self.exchange(
                port: port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(served.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func slowBodyIsRefusedAfterItsDeadline() async throws {
        try await SufraTestApp.run { _, client, _ in
            let port = try #require(client.port)
            let clock = ContinuousClock()
            let started = clock.now
            let answer = try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask {
                    // 100 bytes announced, 5 sent: the body never completes (one byte an hour would do the same).
                    try await Self.exchange(
                        port: port,
                        "POST /whatsapp/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nBody=")
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(25))
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            #expect(answer?.hasPrefix("HTTP/1.1 408") == true, "\(answer ?? "no answer")")
            #expect(clock.now - started < .seconds(20))
        }
    }

    /// Writes `request` on a new connection and returns everything received until the server closes it.
    private static func exchange(port: Int, _ request: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let received = Found()
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: request))
                for try await buffer in inbound { received.add(secrets: [String(buffer: buffer)]) }
            }
        } catch ChannelError.ioOnClosedChannel {
            // The server closed the connection first.
        }
        return received.values.1.joined()
    }
}

/// A clock a test moves by hand.
final class TestInstant: Sendable {
    private let state = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { state.withLock { $0 } }
    func advance(by duration: Duration) { state.withLock { $0 += duration } }
}

/// Holds tasks until opened.
final class AsyncGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

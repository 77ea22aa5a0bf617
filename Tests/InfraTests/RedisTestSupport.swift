import Foundation
import Glibc
import SufraTestSupport
import Testing

@testable import Infra

/// The shared test Redis (`REDIS_URL`, from scripts/services). Tests fail, not skip, when it is unreachable.
func sharedRedisConfiguration() throws -> RedisConfiguration {
    let url = TestServices.redisURL
    try TestServices.require("Redis", url: url, variable: "REDIS_URL")
    var configuration = try RedisConfiguration(url: url)
    configuration.poolSize = 2
    return configuration
}

/// A key prefix no other test (or concurrent builder) uses.
func uniqueRedisPrefix(_ name: String) -> String {
    "test:\(name):\(UInt64.random(in: .min ... .max)):"
}

/// Runs `body` with a running ``RedisClient``; the client shuts down after.
func withRedisClient<T: Sendable>(
    _ configuration: RedisConfiguration, _ body: (RedisClient) async throws -> T
) async throws -> T {
    let client = RedisClient(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await client.run() }
        do {
            let result = try await body(client)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Runs `body` with a running ``RedisSubscriber``; it shuts down after.
func withRedisSubscriber<T: Sendable>(
    _ configuration: RedisConfiguration, _ body: (RedisSubscriber) async throws -> T
) async throws -> T {
    let subscriber = RedisSubscriber(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await subscriber.run() }
        do {
            let result = try await body(subscriber)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// A redis-server of the test's own, on a free port, for tests that kill or restart the server.
final class PrivateRedisServer: @unchecked Sendable {
    // Safety of `@unchecked Sendable`: `pid` is only touched by the test that owns the server, sequentially.
    let port: Int
    private var pid: pid_t?

    init() throws {
        self.port = try Self.freePort()
        try start()
    }

    var configuration: RedisConfiguration {
        var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
        configuration.poolSize = 2
        configuration.initialReconnectDelay = .milliseconds(20)
        configuration.maximumReconnectDelay = .milliseconds(200)
        return configuration
    }

    func start() throws {
        let arguments = [
            "/usr/bin/redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--loglevel", "warning",
        ]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/usr/bin/redis-server", nil, nil, &argv, environ)
        guard status == 0 else { throw RedisError.connection("posix_spawn redis-server failed: \(status)") }
        self.pid = pid
    }

    func stop() {
        guard let pid else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        self.pid = nil
    }

    /// Waits until the server answers PING.
    func waitUntilReady() async throws {
        try await eventually("private redis-server on port \(port) up") {
            do {
                let connection = try await RedisConnection.connect(configuration: configuration)
                await connection.close()
                return true
            } catch {
                return false
            }
        }
    }

    deinit { stop() }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw RedisError.connection("bind failed") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

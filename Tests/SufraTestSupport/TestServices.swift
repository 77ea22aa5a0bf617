import Foundation
import Glibc
import Synchronization

/// A local service the tests need is not there.
public struct TestServiceUnavailable: Error, CustomStringConvertible {
    /// What is missing and how to start it.
    public let description: String
}

/// The local PostgreSQL and Redis the tests use (started by `scripts/services`, exported by `scripts/test`).
/// A test needing one checks it first, so that a missing service fails every such test at once with one clear
/// message, instead of with a connection error deep inside the test or a wait that never ends.
public enum TestServices {
    /// Endpoints that answered once; later tests do not ask again.
    private static let reachable = Mutex<Set<String>>([])

    /// Throws ``TestServiceUnavailable`` unless something accepts connections at `url`'s host and port.
    /// - Parameters:
    ///   - service: what the URL names, for the message ("PostgreSQL", "Redis").
    ///   - url: the URL the tests use.
    ///   - variable: the environment variable `url` came from.
    public static func require(_ service: String, url: String, variable: String) throws {
        let source = ProcessInfo.processInfo.environment[variable] == nil ? "\(variable) unset, default" : variable
        guard let components = URLComponents(string: url), let host = components.host else {
            throw TestServiceUnavailable(description: "\(service): cannot read host and port from \(url) (\(source))")
        }
        let port = components.port ?? (components.scheme?.hasPrefix("redis") == true ? 6379 : 5432)
        let endpoint = "\(host):\(port)"
        if reachable.withLock({ $0.contains(endpoint) }) { return }
        guard accepts(host: host, port: port, timeoutMilliseconds: 2000) else {
            throw TestServiceUnavailable(
                description: "\(service) is not reachable at \(endpoint) (\(source): \(url)). Start the local "
                    + "services with `scripts/services start` and export what it prints, or run `scripts/test`.")
        }
        reachable.withLock { _ = $0.insert(endpoint) }
    }

    /// True when a TCP connection to `host:port` opens within the timeout.
    private static func accepts(host: String, port: Int, timeoutMilliseconds: Int32) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else { return false }
        defer { freeaddrinfo(first) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            if connects(info.pointee, timeoutMilliseconds: timeoutMilliseconds) { return true }
            entry = info.pointee.ai_next
        }
        return false
    }

    private static func connects(_ info: addrinfo, timeoutMilliseconds: Int32) -> Bool {
        let fd = socket(info.ai_family, info.ai_socktype | Int32(SOCK_NONBLOCK.rawValue), info.ai_protocol)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if connect(fd, info.ai_addr, info.ai_addrlen) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&descriptor, 1, timeoutMilliseconds) == 1 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return false }
        return error == 0
    }
}

extension TestServices {
    /// The test PostgreSQL server (`TEST_DATABASE_URL`, exported by `scripts/services`).
    public static var databaseURL: String {
        ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] ?? "postgres://sufra@127.0.0.1:55432/sufra_test"
    }

    /// The test Redis (`REDIS_URL`, exported by `scripts/services`).
    public static var redisURL: String {
        ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:56379/0"
    }
}

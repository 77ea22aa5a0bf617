import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a host name into a numeric address without blocking an event loop or Swift's cooperative pool.
///
/// `getaddrinfo` blocks for as long as DNS takes (seconds when a resolver is down). Called inside hiredis'
/// connect it would run on the shared ``IOEventLoop`` thread and stall every PostgreSQL and Redis connection
/// behind it; called from a Swift task it would hold one of the few cooperative threads. So each lookup of a
/// name runs on a thread of its own, started for it and ended by it: lookups happen only on (re)connect,
/// which the pools rate-limit with backoff, so the threads are few and short-lived. The caller waits on a
/// continuation with a deadline; a lookup that outlives it is abandoned (its thread ends when the system
/// call returns). A numeric address is returned at once, without a thread.
public enum HostResolver {
    /// Why a name did not resolve.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The one-line reason (names the host, never credentials).
        public let description: String
    }

    /// The addresses of `host` (IPv4 and IPv6, in the system's preference order, without repeats), as numeric
    /// text; `[host]` itself when it is numeric.
    public static func resolve(
        _ host: String, timeout: Duration, loop: IOEventLoop = .shared
    ) async throws(Failure) -> [String] {
        if isNumeric(host) { return [host] }
        let once = Once()
        let result: Result<[String], Failure> = await withCheckedContinuation { continuation in
            @Sendable func finish(_ result: Result<[String], Failure>) {
                if once.claim() { continuation.resume(returning: result) }
            }
            let thread = Thread { finish(lookUp(host)) }
            thread.name = "sufra-resolve"
            thread.start()
            loop.execute {
                _ = loop.schedule(after: timeout) {
                    finish(.failure(Failure(description: "resolving \(host) took longer than \(timeout)")))
                }
            }
        }
        return try result.get()
    }

    /// Lets the first of the lookup and its deadline answer.
    private final class Once: Sendable {
        private let done = Atomic(false)
        /// True for the first caller only.
        func claim() -> Bool { !done.exchange(true, ordering: .acquiringAndReleasing) }
    }

    /// True for an IPv4 or IPv6 literal.
    public static func isNumeric(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// The blocking lookup; runs on the resolver thread.
    private static func lookUp(_ host: String) -> Result<[String], Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else {
            let reason = gai_strerror(status).map { String(cString: $0) } ?? "error \(status)"
            return .failure(Failure(description: "cannot resolve \(host): \(reason)"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(
                current.pointee.ai_addr, current.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                NI_NUMERICHOST) == 0
            {
                let address = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(address) { addresses.append(address) }
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { return .failure(Failure(description: "cannot resolve \(host): no address")) }
        return .success(addresses)
    }
}

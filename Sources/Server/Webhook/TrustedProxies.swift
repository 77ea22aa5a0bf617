#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The peers whose `X-Forwarded-Proto` / `X-Forwarded-Host` are believed: `TRUSTED_PROXIES`, a comma-separated
/// list of CIDR blocks (`10.0.0.0/8, 2001:db8::/32`; a bare address is a single host).
///
/// Anyone can send forwarded headers; only a reverse proxy in front of Sufra should be able to make Sufra
/// rebuild the URL Twilio signed from them. The default trusts loopback and the private ranges, where such a
/// proxy usually sits. An IPv4-mapped IPv6 peer (`::ffff:10.1.2.3`) is matched as its IPv4 address.
public struct TrustedProxies: Sendable, Hashable, CustomStringConvertible {
    /// One CIDR block: the network's address bytes (4 or 16) and prefix length.
    struct Block: Sendable, Hashable {
        let bytes: [UInt8]
        let prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefix
            for index in bytes.indices where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                guard address[index] & mask == bytes[index] & mask else { return false }
                remaining -= bits
            }
            return true
        }
    }

    let blocks: [Block]
    /// The blocks as configured, for the startup log.
    public let description: String

    /// Loopback and private ranges: 127.0.0.0/8, ::1, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7.
    public static let defaultValue = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"

    /// The default list (``defaultValue``).
    public static let `default`: TrustedProxies = {
        do {
            return try TrustedProxies(parsing: defaultValue)
        } catch {
            preconditionFailure("the built-in TRUSTED_PROXIES default does not parse: \(error)")
        }
    }()

    /// Trusts nobody: forwarded headers are always ignored.
    public static let none = TrustedProxies(blocks: [], description: "")

    private init(blocks: [Block], description: String) {
        self.blocks = blocks
        self.description = description
    }

    /// Parses a comma-separated CIDR list; an empty list trusts nobody.
    public init(parsing list: String) throws(ConfigurationError) {
        var blocks: [Block] = []
        for entry in list.split(separator: ",") {
            let text = entry.filter { $0 != " " }
            guard !text.isEmpty else { continue }
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let bytes = Self.addressBytes(String(parts[0])) else {
                throw .invalid("TRUSTED_PROXIES", "'\(text)' is not an IP address or CIDR block")
            }
            var prefix = bytes.count * 8
            if parts.count == 2 {
                guard let value = Int(parts[1]), (0...bytes.count * 8).contains(value) else {
                    throw .invalid("TRUSTED_PROXIES", "'\(text)' has an invalid prefix length")
                }
                prefix = value
            }
            blocks.append(Block(bytes: bytes, prefix: prefix))
        }
        self.init(blocks: blocks, description: blocks.isEmpty ? "nobody" : list.filter { $0 != " " })
    }

    /// True when a request from `ipAddress` (textual IPv4 or IPv6) may set forwarded headers.
    public func trusts(ipAddress: String) -> Bool {
        guard var bytes = Self.addressBytes(ipAddress) else { return false }
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])  // IPv4-mapped
        }
        return blocks.contains { $0.contains(bytes) }
    }

    /// The 4 or 16 bytes of a textual address; nil when it is neither IPv4 nor IPv6.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}

extension RedisConfiguration {
    /// The default of `REDIS_URL` (README.md, "Configuration").
    public static let defaultURL = "redis://127.0.0.1:6379/0"

    /// Parses `redis://[[user]:password@]host[:port][/db]` (percent-encoded user and password allowed; IPv6 hosts
    /// in brackets). The password never appears in the thrown error.
    public init(url: String) throws(RedisConfigurationError) {
        let schemePrefix = "redis://"
        guard url.hasPrefix(schemePrefix) else {
            throw RedisConfigurationError(.unsupportedScheme)
        }
        var rest = Substring(url.dropFirst(schemePrefix.count))
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<query] }

        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = try Self.percentDecoded(userInfo[..<colon])
                username = user.isEmpty ? nil : user
                password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...])
            } else {
                // `redis://secret@host` is how some tools write a password alone.
                password = try Self.percentDecoded(userInfo)
            }
        }

        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let db = Int(path), db >= 0 else { throw RedisConfigurationError(.invalidDatabase) }
                database = db
            }
        }

        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw RedisConfigurationError(.invalidHost) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw RedisConfigurationError(.invalidHost)
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw RedisConfigurationError(.invalidHost) }
        var port = 6379
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw RedisConfigurationError(.invalidPort)
            }
            port = value
        }
        self.init(host: String(host), port: port, username: username, password: password, database: database)
    }

    private static func percentDecoded(_ text: Substring) throws(RedisConfigurationError) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(\.hexDigitValue),
                let low = iterator.next().flatMap(\.hexDigitValue)
            else { throw RedisConfigurationError(.invalidUserInfo) }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw RedisConfigurationError(.invalidUserInfo)
        }
        return decoded
    }

}

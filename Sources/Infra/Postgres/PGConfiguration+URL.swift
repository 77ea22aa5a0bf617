/// A `DATABASE_URL` that could not be understood.
public struct PGConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the URL (never includes the password).
    public let reason: String

    public var description: String { "invalid database URL: \(reason)" }
}

extension PGConfiguration {
    /// Parses `postgres://user:password@host:port/database?sslmode=…&host=/socket/dir&application_name=…`
    /// (also `postgresql://`). User, password and database are percent-decoded; unknown query parameters are
    /// passed to libpq unchanged.
    ///
    /// The deadlines can be set in the query too (`0` turns one off):
    /// `request_timeout`, `statement_timeout`, `idle_in_transaction_session_timeout` and `tcp_user_timeout` in
    /// milliseconds; `connect_timeout`, `keepalives_idle` and `keepalives_interval` in seconds;
    /// `keepalives_count`; `keepalives=0` turns keepalives off.
    public init(url: String) throws(PGConfigurationError) {
        var rest: Substring
        if url.hasPrefix("postgres://") {
            rest = url.dropFirst("postgres://".count)
        } else if url.hasPrefix("postgresql://") {
            rest = url.dropFirst("postgresql://".count)
        } else {
            throw PGConfigurationError(reason: "scheme must be postgres:// or postgresql://")
        }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var userInfo: Substring = ""
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var user = ""
        var password: String?
        if let colon = userInfo.firstIndex(of: ":") {
            user = try Self.percentDecoded(userInfo[..<colon], field: "user")
            password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...], field: "password")
        } else {
            user = try Self.percentDecoded(userInfo, field: "user")
        }
        var host: String?
        var port = 5432
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw PGConfigurationError(reason: "unterminated IPv6 address")
            }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            if !rest.isEmpty && !rest.hasPrefix(":") {
                throw PGConfigurationError(reason: "unexpected text after IPv6 address")
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = try Self.percentDecoded(rest[..<colon], field: "host")
            rest = rest[colon...]
        } else {
            host = rest.isEmpty ? nil : try Self.percentDecoded(rest, field: "host")
            rest = ""
        }
        if rest.hasPrefix(":") {
            let digits = rest.dropFirst()
            guard let value = Int(digits), (1...65535).contains(value) else {
                throw PGConfigurationError(reason: "port must be a number from 1 to 65535")
            }
            port = value
        }
        let database = try Self.percentDecoded(path, field: "database")
        guard !database.isEmpty else { throw PGConfigurationError(reason: "missing database name") }

        self.init(host: host ?? "127.0.0.1", port: port, user: user, password: password, database: database)
        if host == nil { self.host = nil }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try Self.percentDecoded(parts[0], field: "query parameter")
            let value = parts.count > 1 ? try Self.percentDecoded(parts[1], field: key) : ""
            switch key {
            case "host":
                if value.hasPrefix("/") {
                    self.unixSocketDirectory = value
                } else {
                    self.host = value
                }
            case "port":
                guard let value = Int(value), (1...65535).contains(value) else {
                    throw PGConfigurationError(reason: "port must be a number from 1 to 65535")
                }
                self.port = value
            case "user": self.user = value
            case "password": self.password = value
            case "dbname": self.database = value
            case "sslmode": self.sslMode = value
            case "application_name": self.applicationName = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw PGConfigurationError(reason: "connect_timeout must be a positive number of seconds")
                }
                self.connectTimeout = .seconds(seconds)
            case "request_timeout": self.requestTimeout = try Self.duration(value, key: key, unit: .milliseconds(1))
            case "statement_timeout":
                self.statementTimeout = try Self.duration(value, key: key, unit: .milliseconds(1))
            case "idle_in_transaction_session_timeout":
                self.idleInTransactionSessionTimeout = try Self.duration(value, key: key, unit: .milliseconds(1))
            case "tcp_user_timeout": self.tcpUserTimeout = try Self.duration(value, key: key, unit: .milliseconds(1))
            case "keepalives":
                switch value {
                case "0": self.keepalives = nil
                case "1": self.keepalives = self.keepalives ?? Keepalives()
                default: throw PGConfigurationError(reason: "keepalives must be 0 or 1")
                }
            case "keepalives_idle", "keepalives_interval", "keepalives_count":
                guard let number = Int(value), number > 0 else {
                    throw PGConfigurationError(reason: "\(key) must be a positive number")
                }
                var keepalives = self.keepalives ?? Keepalives()
                switch key {
                case "keepalives_idle": keepalives.idle = .seconds(number)
                case "keepalives_interval": keepalives.interval = .seconds(number)
                default: keepalives.count = number
                }
                self.keepalives = keepalives
            default: self.extraParameters[key] = value
            }
        }
        if self.host == nil && self.unixSocketDirectory == nil { self.host = "127.0.0.1" }
        if self.user.isEmpty { throw PGConfigurationError(reason: "missing user name") }
    }

    /// A non-negative count of `unit`s; 0 means "off" (nil).
    private static func duration(
        _ text: String, key: String, unit: Duration
    ) throws(PGConfigurationError)
        -> Duration?
    {
        guard let count = Int(text), count >= 0 else {
            throw PGConfigurationError(reason: "\(key) must be a non-negative whole number")
        }
        return count == 0 ? nil : unit * count
    }

    private static func percentDecoded(_ text: Substring, field: String) throws(PGConfigurationError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(\.hexDigitValue),
                let low = iterator.next().flatMap(\.hexDigitValue)
            else {
                throw PGConfigurationError(reason: "bad percent-encoding in \(field)")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw PGConfigurationError(reason: "\(field) is not UTF-8 after percent-decoding")
        }
        return decoded
    }

}

/// `REDIS_URL` could not be understood. The message names the part that is wrong, never the password.
public struct RedisConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the URL.
    public struct Code: Sendable, Hashable {
        enum Base: Hashable { case unsupportedScheme, invalidHost, invalidPort, invalidDatabase, invalidUserInfo }
        let base: Base
        init(_ base: Base) { self.base = base }

        /// The URL does not start with `redis://` (TLS `rediss://` is not supported).
        public static let unsupportedScheme = Code(.unsupportedScheme)
        /// The host is missing or malformed.
        public static let invalidHost = Code(.invalidHost)
        /// The port is not a number in 1…65535.
        public static let invalidPort = Code(.invalidPort)
        /// The path is not a non-negative database number.
        public static let invalidDatabase = Code(.invalidDatabase)
        /// The user or password has a bad percent-escape or is not UTF-8.
        public static let invalidUserInfo = Code(.invalidUserInfo)
    }

    /// What is wrong.
    public let code: Code

    init(_ base: Code.Base) { self.code = Code(base) }

    public var description: String {
        switch code.base {
        case .unsupportedScheme: "REDIS_URL must start with redis://"
        case .invalidHost: "REDIS_URL has no valid host"
        case .invalidPort: "REDIS_URL port must be a number between 1 and 65535"
        case .invalidDatabase: "REDIS_URL database (path) must be a non-negative integer"
        case .invalidUserInfo: "REDIS_URL user or password is not valid percent-encoded UTF-8"
        }
    }
}

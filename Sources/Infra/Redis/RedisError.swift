/// Why a Redis call failed: the server answered with an error, the connection broke, a deadline passed,
/// or the client refused the command.
///
/// A struct wrapping a private enum (like postgres-nio's errors) so that cases can be added without breaking
/// callers; compare ``code`` with the static codes.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Hashable {
            case server, connection, timeout, commandTooLarge, shutdown, unexpectedReply
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server answered with an error reply (`-ERR …`, `-NOSCRIPT …`, `-WRONGTYPE …`).
        public static let server = Code(.server)
        /// The connection could not be made or broke; the command may or may not have run.
        public static let connection = Code(.connection)
        /// The command's deadline passed; the connection was dropped (replies are ordered).
        public static let timeout = Code(.timeout)
        /// The command is larger than ``RedisConfiguration/maximumCommandBytes``; nothing was sent.
        public static let commandTooLarge = Code(.commandTooLarge)
        /// The client or subscriber is shut down.
        public static let shutdown = Code(.shutdown)
        /// The server's reply did not have the expected shape.
        public static let unexpectedReply = Code(.unexpectedReply)

        public var description: String {
            switch base {
            case .server: "server"
            case .connection: "connection"
            case .timeout: "timeout"
            case .commandTooLarge: "commandTooLarge"
            case .shutdown: "shutdown"
            case .unexpectedReply: "unexpectedReply"
            }
        }
    }

    /// The kind of failure.
    public let code: Code
    /// Details: the server's error text, or what went wrong on the connection.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// For a server error, its prefix (`ERR`, `NOSCRIPT`, `WRONGTYPE`…); nil otherwise.
    public var serverErrorPrefix: String? {
        guard code == .server else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }

    public var description: String { "RedisError.\(code): \(message)" }

    static func server(_ message: String) -> RedisError { RedisError(.server, message) }
    static func connection(_ message: String) -> RedisError { RedisError(.connection, message) }
    static func timeout(_ message: String) -> RedisError { RedisError(.timeout, message) }
    static let shutdown = RedisError(.shutdown, "the Redis client is shut down")
    static func unexpectedReply(_ reply: RESPValue, expected: String) -> RedisError {
        RedisError(.unexpectedReply, "expected \(expected), got \(reply)")
    }
}

/// One binary-safe argument of a Redis command.
///
/// ```swift
/// try await redis.send(["SET", "key", RedisArgument(bytes: payload), "EX", 60])
/// ```
public struct RedisArgument: Sendable, Hashable {
    /// The argument's bytes, sent as a bulk string.
    public var bytes: [UInt8]

    /// An argument from raw bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// An argument from text (UTF-8).
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// An argument from an integer, in decimal.
    public init(_ value: Int) { self.bytes = Array(String(value).utf8) }
}

extension RedisArgument: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}

extension RedisArgument: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}

extension RedisArgument: CustomStringConvertible {
    public var description: String { String(decoding: bytes.prefix(64), as: UTF8.self) }
}

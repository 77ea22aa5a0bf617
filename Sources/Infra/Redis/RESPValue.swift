/// A Redis reply, copied out of hiredis into Swift memory (no C pointer outlives the reply callback).
///
/// Top-level error replies are thrown as ``RedisError`` by ``RedisClient/send(_:)``; nested ones (inside an
/// `EXEC` result, or an element of ``RedisClient/pipeline(_:)``) stay values as ``error(_:)``.
public enum RESPValue: Sendable, Hashable {
    /// A nil bulk string or nil array.
    case null
    /// A status reply such as `OK` or `PONG`.
    case simpleString(String)
    /// A binary-safe bulk string.
    case bulkString([UInt8])
    /// An integer reply.
    case integer(Int64)
    /// An array reply (possibly nested).
    case array([RESPValue])
    /// An error reply (`-ERR …`), kept as a value when it is not the top-level reply of a command.
    case error(String)
}

extension RESPValue {
    /// The reply as text: bulk strings decoded as UTF-8 (nil when they are not valid UTF-8), status replies as is,
    /// integers in decimal.
    public var string: String? {
        switch self {
        case .simpleString(let text): return text
        case .bulkString(let bytes): return String(validating: bytes, as: UTF8.self)
        case .integer(let value): return String(value)
        default: return nil
        }
    }

    /// The reply's bytes: bulk strings as is, status replies as UTF-8.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): return bytes
        case .simpleString(let text): return Array(text.utf8)
        default: return nil
        }
    }

    /// The reply as an integer: integer replies, or bulk/status strings that parse as one.
    public var int: Int64? {
        switch self {
        case .integer(let value): return value
        case .bulkString, .simpleString: return string.flatMap { Int64($0) }
        default: return nil
        }
    }

    /// The elements of an array reply.
    public var array: [RESPValue]? {
        if case .array(let values) = self { return values }
        return nil
    }
}

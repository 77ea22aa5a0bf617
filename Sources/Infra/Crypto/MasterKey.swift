/// The 32-byte `MASTER_KEY` that encrypts tenant secrets, with the id written in front of each sealed secret.
///
/// Its description never shows the key bytes.
public struct MasterKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Names the key inside sealed secrets (`"<id>:…"`); must not contain `:`.
    public let id: String
    let bytes: [UInt8]

    /// Parses a base64 key of exactly 32 bytes; any other input throws a ``MasterKeyError`` saying why.
    public init(id: String = "k1", base64: String) throws(MasterKeyError) {
        guard !id.isEmpty, !id.contains(":") else { throw MasterKeyError("key id must be non-empty without ':'") }
        let trimmed = base64.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw MasterKeyError("MASTER_KEY is empty; expected 32 bytes in base64") }
        guard let bytes = Base64.decode(trimmed) else {
            throw MasterKeyError("MASTER_KEY is not valid base64; expected 32 bytes in base64 (44 characters)")
        }
        guard bytes.count == AESGCM.keySize else {
            throw MasterKeyError("MASTER_KEY decodes to \(bytes.count) bytes; expected exactly 32")
        }
        self.id = id
        self.bytes = bytes
    }

    /// Creates a key from raw bytes (exactly 32).
    public init(id: String = "k1", bytes: [UInt8]) throws(MasterKeyError) {
        try self.init(id: id, base64: Base64.encode(bytes))
    }

    /// A fresh random key (e.g. for `sufra` key generation and tests).
    public static func random(id: String = "k1") throws -> MasterKey {
        try MasterKey(id: id, bytes: SecureRandom.bytes(AESGCM.keySize))
    }

    public var description: String { "MasterKey(id: \(id), <redacted>)" }
    public var debugDescription: String { description }
}

/// `MASTER_KEY` was missing or malformed.
public struct MasterKeyError: Error, Hashable, CustomStringConvertible {
    /// What was wrong, without the key material.
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        var result = Substring(String(scalars))
        while let last = result.last, last == " " || last == "\n" || last == "\t" || last == "\r" {
            result.removeLast()
        }
        return String(result)
    }
}

/// Encrypts tenant secrets (Twilio auth tokens) at rest with AES-256-GCM under the master key.
///
/// The restaurant id is the associated data, so a ciphertext copied to another restaurant's row does not open.
/// Output text: `"<keyId>:" + base64(nonce | ciphertext | tag)`. The box holds the current key and older keys by
/// id, so after a rotation old secrets still open; ``reencrypt(_:associatedData:)`` moves one to the current key.
public struct SecretBox: Sendable, CustomStringConvertible {
    /// The key new secrets are sealed with.
    public let current: MasterKey
    private let keys: [String: MasterKey]

    /// Creates a box sealing with `current` and opening with it or any of `previous`.
    public init(current: MasterKey, previous: [MasterKey] = []) {
        self.current = current
        var keys: [String: MasterKey] = [:]
        for key in previous { keys[key.id] = key }
        keys[current.id] = current
        self.keys = keys
    }

    /// Seals `secret` for the owner named by `associatedData` (the restaurant id).
    public func seal(_ secret: String, associatedData: String) throws(CryptoError) -> String {
        let box = try AESGCM.seal(Array(secret.utf8), key: current.bytes, associatedData: Array(associatedData.utf8))
        return current.id + ":" + Base64.encode(box.combined)
    }

    /// Opens a sealed secret; throws when the key id is unknown, the text is malformed, or authentication fails.
    public func open(_ sealed: String, associatedData: String) throws(CryptoError) -> String {
        let (keyID, payload) = try Self.split(sealed)
        guard let key = keys[keyID] else { throw .unknownKeyID(keyID) }
        guard let combined = Base64.decode(payload) else { throw .invalidInput("sealed secret is not base64") }
        let box = try AESGCM.SealedBox(combined: combined)
        let plaintext = try AESGCM.open(box, key: key.bytes, associatedData: Array(associatedData.utf8))
        return String(decoding: plaintext, as: UTF8.self)
    }

    /// True when `sealed` was sealed with a key other than the current one.
    public func needsReencryption(_ sealed: String) -> Bool {
        guard let (keyID, _) = try? Self.split(sealed) else { return true }
        return keyID != current.id
    }

    /// Opens `sealed` with whichever key it names and seals it again with the current key.
    public func reencrypt(_ sealed: String, associatedData: String) throws(CryptoError) -> String {
        try seal(open(sealed, associatedData: associatedData), associatedData: associatedData)
    }

    public var description: String { "SecretBox(current: \(current.id), keys: \(keys.keys.sorted()))" }

    private static func split(_ sealed: String) throws(CryptoError) -> (String, String) {
        guard let colon = sealed.firstIndex(of: ":") else { throw .invalidInput("sealed secret lacks a key id") }
        return (String(sealed[..<colon]), String(sealed[sealed.index(after: colon)...]))
    }
}

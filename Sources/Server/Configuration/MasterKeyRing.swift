import Infra

/// The master keys `serve`, `worker` and the CLI seal and open restaurants' Twilio auth tokens with: the current
/// key (new secrets are sealed with it) and previous keys (old secrets still open until
/// `sufra secrets reencrypt` has moved them to the current key).
///
/// Each key has an id, written in front of every secret it seals (`k2:…`). A key is written `ID:BASE64` or just
/// `BASE64` (id `k1`, the id of the single-key setups before rotation existed):
/// - `MASTER_KEYS=k2:NEW,k1:OLD`: the first is current, the rest previous; or
/// - `MASTER_KEY=k2:NEW` with `MASTER_KEY_PREVIOUS=k1:OLD` (comma-separated for several).
enum MasterKeyRing {
    /// The id of a key given without one.
    static let defaultID = "k1"

    /// The secret box of the configured keys; a one-line ``ConfigurationError`` (never showing key material)
    /// when a key is malformed, two keys share an id, or no key is set.
    static func secretBox(
        masterKeys: String?, masterKey: String?, previous: String?
    ) throws(ConfigurationError) -> SecretBox {
        let variable = masterKeys != nil ? "MASTER_KEYS" : "MASTER_KEY"
        var keys: [MasterKey] = []
        if let masterKeys {
            for entry in masterKeys.split(separator: ",") { keys.append(try key(String(entry), variable: variable)) }
        } else if let masterKey {
            keys.append(try key(masterKey, variable: variable))
            for entry in (previous ?? "").split(separator: ",") {
                keys.append(try key(String(entry), variable: "MASTER_KEY_PREVIOUS"))
            }
        }
        guard let current = keys.first else { throw .missing("MASTER_KEY") }
        var seen: Set<String> = []
        for key in keys where !seen.insert(key.id).inserted {
            throw .invalid(variable, "key id '\(key.id)' is used twice; give each key its own id (ID:BASE64)")
        }
        return SecretBox(current: current, previous: Array(keys.dropFirst()))
    }

    private static func key(_ entry: String, variable: String) throws(ConfigurationError) -> MasterKey {
        let text = entry.filter { !$0.isWhitespace }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let (id, base64) = parts.count == 2 ? (String(parts[0]), String(parts[1])) : (defaultID, text)
        do {
            return try MasterKey(id: id, base64: base64)
        } catch {
            throw .invalid(variable, "key '\(id)' must be base64 of exactly 32 bytes, written ID:BASE64 or BASE64")
        }
    }
}

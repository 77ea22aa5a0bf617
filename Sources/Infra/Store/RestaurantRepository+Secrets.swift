/// Restaurants' sealed auth tokens against a key ring: which ones the ring cannot open, and moving them all
/// to the ring's current key after a `MASTER_KEY` rotation.
extension RestaurantRepository {
    /// What a re-encryption did.
    public struct ReencryptionReport: Sendable, Hashable {
        /// Restaurants whose token was sealed again with the current key.
        public var reencrypted: Int
        /// Restaurants whose token was already sealed with the current key.
        public var alreadyCurrent: Int
    }

    /// A restaurant whose token the configured keys cannot open.
    public struct UndecryptableToken: Sendable, Hashable {
        /// The restaurant.
        public var restaurantId: String
        /// The key id written in front of the sealed token (nil when there is none).
        public var keyID: String?
    }

    /// The restaurants whose sealed token `secrets` cannot open (wrong key, unknown key id, tampered).
    public func undecryptableAuthTokens(with secrets: SecretBox) async throws -> [UndecryptableToken] {
        let rows = try await client.query("SELECT id::text AS id, twilio_auth_token_enc FROM restaurants ORDER BY id")
        var failures: [UndecryptableToken] = []
        for row in rows {
            let id = try row.decode("id", as: String.self)
            let sealed = try row.decode("twilio_auth_token_enc", as: String.self)
            if (try? secrets.open(sealed, associatedData: id)) == nil {
                failures.append(UndecryptableToken(restaurantId: id, keyID: Self.keyID(of: sealed)))
            }
        }
        return failures
    }

    /// Seals every restaurant's token again with `secrets.current`, in one transaction (rows locked). If any
    /// token cannot be opened nothing changes and ``ReencryptionError`` names the restaurants.
    public func reencryptAuthTokens(with secrets: SecretBox) async throws -> ReencryptionReport {
        try await client.withTransaction { connection in
            let rows = try await connection.query(
                "SELECT id::text AS id, twilio_auth_token_enc FROM restaurants ORDER BY id FOR UPDATE")
            var report = ReencryptionReport(reencrypted: 0, alreadyCurrent: 0)
            var updates: [(id: String, sealed: String)] = []
            var failures: [UndecryptableToken] = []
            for row in rows {
                let id = try row.decode("id", as: String.self)
                let sealed = try row.decode("twilio_auth_token_enc", as: String.self)
                guard let token = try? secrets.open(sealed, associatedData: id) else {
                    failures.append(UndecryptableToken(restaurantId: id, keyID: Self.keyID(of: sealed)))
                    continue
                }
                if secrets.needsReencryption(sealed) {
                    updates.append((id, try secrets.seal(token, associatedData: id)))
                } else {
                    report.alreadyCurrent += 1
                }
            }
            guard failures.isEmpty else { throw ReencryptionError(undecryptable: failures) }
            for update in updates {
                try await connection.execute(
                    "UPDATE restaurants SET twilio_auth_token_enc = \(update.sealed) WHERE id = \(update.id)::uuid")
            }
            report.reencrypted = updates.count
            return report
        }
    }

    private static func keyID(of sealed: String) -> String? {
        sealed.firstIndex(of: ":").map { String(sealed[..<$0]) }
    }
}

/// Some tokens could not be opened with the configured keys; nothing was re-encrypted.
public struct ReencryptionError: Error, Sendable, CustomStringConvertible {
    /// The restaurants whose token did not open.
    public let undecryptable: [RestaurantRepository.UndecryptableToken]

    public var description: String {
        let ids = Set(undecryptable.map { $0.keyID ?? "none" }).sorted().joined(separator: ", ")
        return "\(undecryptable.count) restaurant token(s) cannot be opened with the configured master keys "
            + "(sealed with key id \(ids)); nothing was re-encrypted"
    }
}

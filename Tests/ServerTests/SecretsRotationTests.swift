import Foundation
import Infra
import Logging
import Testing

@testable import Server

/// Master key rotation: `sufra secrets reencrypt` moves every token to the current key, and `serve` refuses
/// keys that cannot open the tokens in the database.
@Suite struct SecretsRotationTests {
    static let newKey = Data((0..<32).map { UInt8(200 &+ $0) }).base64EncodedString()

    @Test func reencryptMovesTokensToTheCurrentKeyAndServeChecksTheKeys() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            _ = try await client.createRestaurant(name: "Second")
            var logger = Logger(label: "sufra.test")
            logger.logLevel = .error
            func configuration(_ keys: [String: String]) throws -> SufraConfiguration {
                var environment = ["DATABASE_URL": app.database.url]
                for (key, value) in keys { environment[key] = value }
                return try SufraConfiguration(environment: environment)
            }
            let old = SufraTestApp.masterKey
            // Sealed with k1: the current setup passes the check, a new key alone does not.
            try await SecretsCommands.requireDecryptableTokens(
                configuration: configuration(["MASTER_KEY": old]), logger: logger)
            do {
                try await SecretsCommands.requireDecryptableTokens(
                    configuration: configuration(["MASTER_KEY": "k2:\(Self.newKey)"]), logger: logger)
                Issue.record("serve would start with a key that opens no token")
            } catch {
                #expect("\(error)".contains("2 restaurant token(s) cannot be decrypted"))
                #expect("\(error)".contains("key id k1"))
                #expect(!"\(error)".contains(old) && !"\(error)".contains(Self.newKey))
            }
            // A wrong key under the right id is refused too (today's silent 404).
            let wrong = Data(repeating: 7, count: 32).base64EncodedString()
            await #expect(throws: ConfigurationError.self) {
                try await SecretsCommands.requireDecryptableTokens(
                    configuration: configuration(["MASTER_KEY": wrong]), logger: logger)
            }
            // Rotate: new key current, old key previous; re-encrypt; then the new key alone suffices.
            let rotated = try configuration(["MASTER_KEY": "k2:\(Self.newKey)", "MASTER_KEY_PREVIOUS": old])
            let summary = try await SecretsCommands.reencrypt(configuration: rotated, logger: logger)
            #expect(summary.hasPrefix("re-encrypted 2 restaurant token(s) with key k2"))
            let again = try await SecretsCommands.reencrypt(configuration: rotated, logger: logger)
            #expect(again.hasPrefix("re-encrypted 0"))
            let newOnly = try configuration(["MASTER_KEY": "k2:\(Self.newKey)"])
            try await SecretsCommands.requireDecryptableTokens(configuration: newOnly, logger: logger)
            let sealed = try await app.database.withClient { db in
                try await db.query(
                    "SELECT twilio_auth_token_enc AS t FROM restaurants WHERE id = \(restaurant.id)::uuid"
                )
                .single().decode("t", as: String.self)
            }
            #expect(sealed.hasPrefix("k2:"))
            #expect(try newOnly.secretBox().open(sealed, associatedData: restaurant.id) == restaurant.authToken)
            // Re-encrypting with keys that cannot open the tokens changes nothing.
            await #expect(throws: ReencryptionError.self) {
                _ = try await SecretsCommands.reencrypt(
                    configuration: configuration(["MASTER_KEY": "k3:\(wrong)"]), logger: logger)
            }
        }
    }
}

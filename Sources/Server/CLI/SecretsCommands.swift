import Infra
import Logging

/// `sufra secrets reencrypt`, and the key check `serve` runs before it starts.
public enum SecretsCommands {
    /// Seals every restaurant's Twilio auth token again with the current master key; returns a one-line summary.
    /// Run it after adding a new current key (the old one in `MASTER_KEY_PREVIOUS`); then the old key can go.
    public static func reencrypt(configuration: SufraConfiguration, logger: Logger) async throws -> String {
        let secrets = try configuration.secretBox()
        let url = try TenantCommands.databaseURL(configuration)
        let report = try await withPostgres(url: url, logger: logger) { client in
            try await RestaurantRepository(client: client).reencryptAuthTokens(with: secrets)
        }
        return "re-encrypted \(report.reencrypted) restaurant token(s) with key \(secrets.current.id); "
            + "\(report.alreadyCurrent) already used it"
    }

    /// Refuses to serve when some restaurant's token cannot be opened with the configured keys: such a replica
    /// would answer 404 to that restaurant's customers. A database that cannot be reached is not a refusal
    /// (the check is logged as skipped; the directory loads once the database is back).
    public static func requireDecryptableTokens(configuration: SufraConfiguration, logger: Logger) async throws {
        let secrets = try configuration.secretBox()
        let url = try TenantCommands.databaseURL(configuration)
        let failures: [RestaurantRepository.UndecryptableToken]
        do {
            failures = try await withPostgres(url: url, logger: logger) { client in
                try await RestaurantRepository(client: client).undecryptableAuthTokens(with: secrets)
            }
        } catch let error as PGError where error.isConnectionError || error.sqlState == "42P01" {
            logger.warning(
                "master key check skipped: the restaurants could not be read", metadata: ["error": "\(error.code)"])
            return
        }
        guard failures.isEmpty else {
            let keyIDs = Set(failures.map { $0.keyID ?? "none" }).sorted().joined(separator: ", ")
            throw ConfigurationError.invalid(
                "MASTER_KEY",
                "\(failures.count) restaurant token(s) cannot be decrypted with the configured keys "
                    + "(\(secrets)); they were sealed with key id \(keyIDs): configure that key (MASTER_KEY_PREVIOUS)")
        }
    }
}

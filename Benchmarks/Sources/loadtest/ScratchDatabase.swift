import Foundation
import Infra
import Logging
import Server

/// A throwaway PostgreSQL database for one run (`lt_<random>`), created from an admin URL and dropped after.
struct ScratchDatabase: Sendable {
    /// The database's URL.
    let url: String
    let name: String
    let adminURL: String

    /// Creates a fresh database on the server of `adminURL`.
    static func create(adminURL: String, logger: Logger) async throws -> ScratchDatabase {
        let name = "lt_" + UUID().uuidString.prefix(8).lowercased()
        guard var components = URLComponents(string: adminURL) else { throw HarnessError("bad DATABASE_URL") }
        components.path = "/" + name
        guard let url = components.string else { throw HarnessError("bad DATABASE_URL") }
        _ = try await withPostgres(url: adminURL, logger: logger) { client in
            try await client.execute(PGQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        return ScratchDatabase(url: url, name: name, adminURL: adminURL)
    }

    /// Drops the database (connections are terminated first).
    func drop(logger: Logger) async {
        _ = try? await withPostgres(url: adminURL, logger: logger) { client in
            try await client.execute(PGQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        }
    }
}

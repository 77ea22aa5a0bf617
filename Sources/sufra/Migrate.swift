import ArgumentParser
import Infra
import Server

/// `sufra migrate`: applies the schema (safe to run again and concurrently).
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the database schema (idempotent).")

    func run() async throws {
        let configuration = try loadConfiguration()
        guard let url = configuration.databaseURL else { throw ValidationError("DATABASE_URL is required but not set") }
        let logger = makeLogger()
        try await reportingErrors {
            let applied = try await withPostgres(url: url, logger: logger) { client in
                try await Migrator(logger: logger).migrate(client)
            }
            print(
                applied.isEmpty
                    ? "schema up to date" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
        }
    }
}

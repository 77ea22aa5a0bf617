import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct PostgresConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try PostgresConfiguration(
            url: "postgres://sufra:s%40cr%2Ft@db.local:6543/sufra_prod?sslmode=require")
        #expect(configuration.user == "sufra")
        #expect(configuration.password == "s@cr/t")
        #expect(configuration.host == "db.local")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "sufra_prod")
        #expect(configuration.sslMode == "require")
    }

    @Test func defaultsPortAndAcceptsPostgresqlScheme() throws {
        let configuration = try PostgresConfiguration(url: "postgresql://me@127.0.0.1/app")
        #expect(configuration.port == 5432)
        #expect(configuration.password == nil)
    }

    @Test func socketDirectoryFromQuery() throws {
        let configuration = try PostgresConfiguration(
            url: "postgres://me@/app?host=%2Fvar%2Frun%2Fpostgresql&port=5433")
        #expect(configuration.unixSocketDirectory == "/var/run/postgresql")
        #expect(configuration.port == 5433)
        #expect(configuration.libpqParameters.first { $0.0 == "host" }?.1 == "/var/run/postgresql")
    }

    @Test func ipv6AndPassThroughParameters() throws {
        let configuration = try PostgresConfiguration(url: "postgres://me@[::1]:5555/app?sslrootcert=/ca.pem")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5555)
        #expect(configuration.extraParameters["sslrootcert"] == "/ca.pem")
    }

    @Test(arguments: [
        "mysql://me@host/db", "postgres://me@host:99999/db", "postgres://me@host:abc/db", "postgres://me@host/",
        "postgres://me%zz@host/db", "postgres://@host/db", "postgres://me@[::1/db",
    ])
    func rejectsBadURLs(url: String) {
        #expect(throws: PostgresConfigurationError.self) { try PostgresConfiguration(url: url) }
    }

    @Test func errorsNeverEchoThePassword() {
        do {
            _ = try PostgresConfiguration(url: "postgres://me:hunter2@host:bad/db")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }
}

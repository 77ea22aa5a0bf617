import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct PGConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try PGConfiguration(
            url: "postgres://sufra:s%40cr%2Ft@db.local:6543/sufra_prod?sslmode=require")
        #expect(configuration.user == "sufra")
        #expect(configuration.password == "s@cr/t")
        #expect(configuration.host == "db.local")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "sufra_prod")
        #expect(configuration.sslMode == "require")
    }

    @Test func defaultsPortAndAcceptsPostgresqlScheme() throws {
        let configuration = try PGConfiguration(url: "postgresql://me@127.0.0.1/app")
        #expect(configuration.port == 5432)
        #expect(configuration.password == nil)
    }

    @Test func socketDirectoryFromQuery() throws {
        let configuration = try PGConfiguration(
            url: "postgres://me@/app?host=%2Fvar%2Frun%2Fpostgresql&port=5433")
        #expect(configuration.unixSocketDirectory == "/var/run/postgresql")
        #expect(configuration.port == 5433)
        #expect(configuration.libpqParameters.first { $0.0 == "host" }?.1 == "/var/run/postgresql")
    }

    @Test func ipv6AndPassThroughParameters() throws {
        let configuration = try PGConfiguration(url: "postgres://me@[::1]:5555/app?sslrootcert=/ca.pem")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5555)
        #expect(configuration.extraParameters["sslrootcert"] == "/ca.pem")
    }

    @Test func printingNeverShowsThePassword() throws {
        let configuration = try PGConfiguration(url: "postgres://me:hunter2@db.local/app")
        #expect(!"\(configuration)".contains("hunter2"))
        #expect(!String(reflecting: configuration).contains("hunter2"))
        #expect("\(configuration)" == "PGConfiguration(me@db.local:5432/app, password: <redacted>)")
        let redis = try RedisConfiguration(url: "redis://:hunter2@cache.local:6380/2")
        #expect(!"\(redis)".contains("hunter2") && !String(reflecting: redis).contains("hunter2"))
    }

    @Test func defaultDeadlinesReachLibpqAndTheSession() throws {
        let configuration = try PGConfiguration(url: "postgres://me@127.0.0.1/app")
        let parameters = Dictionary(configuration.libpqParameters, uniquingKeysWith: { $1 })
        #expect(parameters["keepalives"] == "1")
        #expect(parameters["keepalives_idle"] == "10")
        #expect(parameters["keepalives_interval"] == "5")
        #expect(parameters["keepalives_count"] == "3")
        #expect(parameters["tcp_user_timeout"] == "10000")
        #expect(parameters["connect_timeout"] == "5")
        let options = try #require(parameters["options"])
        #expect(options.contains("-c statement_timeout=4000"))
        #expect(options.contains("-c idle_in_transaction_session_timeout=30000"))
        #expect(options.contains("-c TimeZone=UTC"))
        #expect(configuration.requestTimeout == .seconds(5))
    }

    @Test func deadlinesFromTheURL() throws {
        let configuration = try PGConfiguration(
            url: "postgres://me@127.0.0.1/app?request_timeout=2500&statement_timeout=0"
                + "&idle_in_transaction_session_timeout=60000&tcp_user_timeout=0&keepalives_idle=30&keepalives_count=5")
        #expect(configuration.requestTimeout == .milliseconds(2500))
        #expect(configuration.statementTimeout == nil)
        #expect(configuration.idleInTransactionSessionTimeout == .seconds(60))
        #expect(configuration.tcpUserTimeout == nil)
        #expect(configuration.keepalives == .init(idle: .seconds(30), interval: .seconds(5), count: 5))
        #expect(configuration.extraParameters.isEmpty)
        let parameters = Dictionary(configuration.libpqParameters, uniquingKeysWith: { $1 })
        #expect(parameters["tcp_user_timeout"] == nil)
        #expect(parameters["options"]?.contains("statement_timeout") == false)
        let off = try PGConfiguration(url: "postgres://me@127.0.0.1/app?keepalives=0")
        #expect(off.keepalives == nil)
        #expect(off.libpqParameters.contains { $0 == ("keepalives", "0") })
        #expect(throws: PGConfigurationError.self) {
            try PGConfiguration(url: "postgres://me@127.0.0.1/app?request_timeout=soon")
        }
    }

    @Test(arguments: [
        "mysql://me@host/db", "postgres://me@host:99999/db", "postgres://me@host:abc/db", "postgres://me@host/",
        "postgres://me%zz@host/db", "postgres://@host/db", "postgres://me@[::1/db",
    ])
    func rejectsBadURLs(url: String) {
        #expect(throws: PGConfigurationError.self) { try PGConfiguration(url: url) }
    }

    @Test func errorsNeverEchoThePassword() {
        do {
            _ = try PGConfiguration(url: "postgres://me:hunter2@host:bad/db")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }
}

import Foundation
import Glibc

@testable import Infra

#if canImport(Glibc)
import SufraTestSupport
import Testing
#endif

/// A database that stops answering fails requests within their deadline, and the pool recovers.
@Suite struct PGDeadlineTests {
    /// A server configuration with a short client deadline and no server-side statement timeout.
    private func configuration(requestTimeout: Duration) throws -> PGConfiguration {
        var configuration = try PostgresTestSupport.serverConfiguration()
        configuration.requestTimeout = requestTimeout
        configuration.statementTimeout = nil
        return configuration
    }

    private func singleConnectionOptions() -> PGPool.Options {
        var options = PGPool.Options()
        options.minimumConnections = 1
        options.maximumConnections = 1
        return options
    }

    @Test func hungStatementFailsWithinItsDeadlineAndThePoolDropsItsConnection() async throws {
        let server = try PostgresTestSupport.serverConfiguration()
        let configuration = try configuration(requestTimeout: .milliseconds(400))
        try await PostgresTestSupport.withClient(configuration, options: singleConnectionOptions()) { client in
            let pid = try await client.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int32.self)
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: PGError.self) {
                try await client.query("SELECT pg_sleep(60)")
            }
            #expect(error?.code == .requestTimeout)
            #expect(error?.isConnectionError == true)
            #expect(clock.now - started < .seconds(3))
            try await eventually(timeout: .seconds(20), "the pool drops the timed-out connection") {
                client.statistics.closed >= 1
            }
            let next = try await client.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int32.self)
            #expect(next != pid)
            try await PostgresTestSupport.terminate(backend: pid, server: server)
        }
    }

    @Test func frozenBackendFailsWithinTheDeadlineAndThePoolRecovers() async throws {
        let server = try PostgresTestSupport.serverConfiguration()
        let configuration = try configuration(requestTimeout: .milliseconds(400))
        try await PostgresTestSupport.withClient(configuration, options: singleConnectionOptions()) { client in
            let pid = try await client.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int32.self)
            // The backend serving the pool's only connection stops dead, as a hung server or a half-open socket.
            try #require(kill(pid, SIGSTOP) == 0, "cannot stop backend \(pid): errno \(errno)")
            defer { kill(pid, SIGCONT) }
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: PGError.self) {
                try await client.query("SELECT 1 AS one")
            }
            #expect(error?.code == .requestTimeout)
            #expect(clock.now - started < .seconds(3))
            let one = try await client.query("SELECT 1 AS one").single().decode("one", as: Int.self)
            #expect(one == 1)
            #expect(client.statistics.opened == 2)
            kill(pid, SIGCONT)
            try await PostgresTestSupport.terminate(backend: pid, server: server)
        }
    }

    @Test func leaseWaitHasADeadlineWhileTheOnlyConnectionHangs() async throws {
        let server = try PostgresTestSupport.serverConfiguration()
        let configuration = try configuration(requestTimeout: .seconds(2))
        var options = singleConnectionOptions()
        options.acquireTimeout = .milliseconds(300)
        try await PostgresTestSupport.withClient(configuration, options: options) { client in
            let pid = try await client.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int32.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await #expect(throws: PGError.self) { try await client.query("SELECT pg_sleep(60)") }
                }
                try await eventually(timeout: .seconds(20), "the hung statement holds the connection") {
                    client.statistics.idle == 0
                }
                let clock = ContinuousClock()
                let started = clock.now
                let error = await #expect(throws: PGError.self) { try await client.query("SELECT 1") }
                #expect(error?.code == .acquireTimeout)
                #expect(clock.now - started < .seconds(2))
                try await group.waitForAll()
            }
            #expect(try await client.query("SELECT 2 AS two").single().decode("two", as: Int.self) == 2)
            try await PostgresTestSupport.terminate(backend: pid, server: server)
        }
    }

    @Test func serverCancelsASlowStatementAndTheConnectionSurvives() async throws {
        var configuration = try PostgresTestSupport.serverConfiguration()
        configuration.statementTimeout = .milliseconds(200)
        configuration.idleInTransactionSessionTimeout = .seconds(7)
        let connection = try await PGConnection.connect(configuration: configuration)
        let settings = try await connection.query(
            "SELECT current_setting('statement_timeout') AS st, current_setting('idle_in_transaction_session_timeout') AS it"
        ).single()
        #expect(try settings.decode("st", as: String.self) == "200ms")
        #expect(try settings.decode("it", as: String.self) == "7s")
        let error = await #expect(throws: PGError.self) { try await connection.query("SELECT pg_sleep(30)") }
        #expect(error?.sqlState == "57014")
        #expect(error?.isConnectionError == true)
        #expect(!connection.isClosed)
        #expect(try await connection.query("SELECT 3 AS three").single().decode("three", as: Int.self) == 3)
        await connection.close()
    }

    @Test func aConnectionCanLiftItsDeadlineForLongWork() async throws {
        let configuration = try configuration(requestTimeout: .milliseconds(200))
        let connection = try await PGConnection.connect(configuration: configuration)
        await connection.setRequestTimeout(nil)
        try await connection.query("SELECT pg_sleep(0.5)")
        #expect(!connection.isClosed)
        await connection.setRequestTimeout(.milliseconds(200))
        await #expect(throws: PGError.self) { try await connection.query("SELECT pg_sleep(0.5)") }
        #expect(connection.isClosed)
    }
}

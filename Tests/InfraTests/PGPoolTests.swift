import Foundation
import SufraTestSupport
import Synchronization
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct PGPoolTests {
    @Test func twoHundredConcurrentCallersShareTenConnections() async throws {
        var options = PGPool.Options()
        options.maximumConnections = 10
        options.minimumConnections = 2
        options.acquireTimeout = .seconds(60)  // 200 callers queue behind 10 connections on a possibly loaded machine
        try await PostgresTestSupport.withClient(PostgresTestSupport.serverConfiguration(), options: options) {
            client in
            let peak = Peak()
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for caller in 0..<200 {
                    group.addTask {
                        try await client.withConnection { connection in
                            let rows = try await connection.query("SELECT \(caller)::int AS v, pg_backend_pid() AS pid")
                            let open = client.statistics.open
                            peak.value.max(open, ordering: .relaxed)
                            return try rows.single().decode("v", as: Int.self)
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(total == (0..<200).reduce(0, +))
            #expect(peak.value.load(ordering: .relaxed) <= 10)
            #expect(client.statistics.opened <= 10)
            #expect(client.statistics.waiting == 0)
        }
    }

    @Test func killedBackendIsReplacedAndTheNextQueryWorks() async throws {
        let server = try PostgresTestSupport.serverConfiguration()
        var options = PGPool.Options()
        options.minimumConnections = 1
        options.maximumConnections = 1
        try await PostgresTestSupport.withClient(server, options: options) { client in
            let pid = try await client.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int32.self)
            try await PostgresTestSupport.terminate(backend: pid, server: server)
            try await eventually(timeout: .seconds(20), "the pool notices the dead connection") {
                client.statistics.closed >= 1
            }
            let next = try await client.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int32.self)
            #expect(next != pid)
            #expect(client.statistics.opened == 2)
        }
    }

    @Test func transactionRollsBackOnThrow() async throws {
        struct Boom: Error {}
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                try await client.execute("CREATE TABLE t (n int)")
                await #expect(throws: Boom.self) {
                    try await client.withTransaction { connection in
                        try await connection.execute("INSERT INTO t VALUES (\(1))")
                        throw Boom()
                    }
                }
                try await client.withTransaction { connection in
                    try await connection.execute("INSERT INTO t VALUES (\(2))")
                }
                // A swallowed statement error inside the transaction makes COMMIT roll back: reported, not hidden.
                await #expect(throws: PGError.self) {
                    try await client.withTransaction { connection in
                        try await connection.execute("INSERT INTO t VALUES (\(3))")
                        _ = try? await connection.execute("INSERT INTO t VALUES (\("not a number"))")
                    }
                }
                let rows = try await client.query("SELECT n FROM t ORDER BY n")
                #expect(try rows.map { try $0.decode("n", as: Int.self) } == [2])
            }
        }
    }

    @Test func connectionLeftInATransactionIsNotReused() async throws {
        var options = PGPool.Options()
        options.maximumConnections = 1
        try await PostgresTestSupport.withClient(PostgresTestSupport.serverConfiguration(), options: options) {
            client in
            let first = try await client.withConnection { connection in
                try await connection.simpleQuery("BEGIN")
                return await connection.backendPID
            }
            let second = try await client.withConnection { await $0.backendPID }
            #expect(first != second)
            #expect(try await client.withConnection { $0.isInTransaction } == false)
        }
    }

    @Test func serverDownGivesAClearErrorFast() async throws {
        var configuration = try PostgresTestSupport.serverConfiguration()
        configuration.port = 1
        let clock = ContinuousClock()
        try await PostgresTestSupport.withClient(configuration) { client in
            for _ in 0..<3 {
                let start = clock.now
                do {
                    _ = try await client.query("SELECT 1")
                    Issue.record("expected an error")
                } catch let error as PGError {
                    #expect(error.isConnectionError)
                    #expect(error.code == .unavailable, "\(error)")
                    #expect(error.message.contains("refused"), "\(error)")
                }
                #expect(clock.now - start < .seconds(10))
            }
            #expect(client.statistics.connectFailures <= 2, "backoff: no hammering")
        }
    }

    @Test func leasingBeforeRunWaitsThenIsServed() async throws {
        let client = PGPool(configuration: try PostgresTestSupport.serverConfiguration())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let value = try await client.query("SELECT 42 AS v").single().decode("v", as: Int.self)
                #expect(value == 42)
            }
            try await eventually(timeout: .seconds(20), "the early caller waits") { client.statistics.waiting == 1 }
            group.addTask { try await client.run() }
            try await group.next()
            group.cancelAll()
        }
    }

    @Test func leasingWithoutRunTimesOutWithAClearError() async throws {
        var options = PGPool.Options()
        options.acquireTimeout = .milliseconds(50)
        let client = PGPool(configuration: try PostgresTestSupport.serverConfiguration(), options: options)
        do {
            _ = try await client.query("SELECT 1")
            Issue.record("expected an error")
        } catch let error as PGError {
            #expect(error.code == .poolNotRunning)
        }
    }

    @Test func afterShutdownLeasingFailsAtOnce() async throws {
        let client = PGPool(configuration: try PostgresTestSupport.serverConfiguration())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            _ = try await client.query("SELECT 1")
            client.shutdown()
            try await group.waitForAll()
        }
        await #expect(throws: PGError.self) { try await client.query("SELECT 1") }
    }

    @Test func waitersAreBoundedAndTimeOut() async throws {
        var options = PGPool.Options()
        options.maximumConnections = 1
        options.maximumWaiters = 1
        options.acquireTimeout = .milliseconds(100)
        try await PostgresTestSupport.withClient(PostgresTestSupport.serverConfiguration(), options: options) {
            client in
            // The short timeout is for the waiters below; let the one connection open first.
            try await eventually(timeout: .seconds(20), "the pool's connection is open") { client.statistics.idle == 1 }
            try await client.withConnection { _ in
                try await withThrowingTaskGroup(of: PGError.Code?.self) { group in
                    group.addTask {
                        do {
                            _ = try await client.query("SELECT 1")
                            return nil
                        } catch let error as PGError { return error.code }
                    }
                    try await eventually(timeout: .seconds(20), "one waiter queued") { client.statistics.waiting == 1 }
                    do {
                        _ = try await client.query("SELECT 1")
                        Issue.record("expected tooManyWaiters")
                    } catch let error as PGError {
                        #expect(error.code == .tooManyWaiters)
                    }
                    #expect(try await group.next() == .acquireTimeout)
                }
            }
        }
    }
}

/// The most connections seen open at once (shared by the concurrent callers).
private final class Peak: Sendable {
    let value = Atomic(0)
}

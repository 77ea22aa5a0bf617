import Foundation
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct PGConnectionTests {
    @Test func typesRoundTrip() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            try await connection.simpleQuery(
                """
                CREATE TABLE kinds (
                    id uuid PRIMARY KEY, name text, big bigint, small integer, tiny smallint, flag boolean,
                    ratio double precision, at timestamptz, raw bytea, doc jsonb, missing text
                )
                """)
            let id = UUID()
            let at = Date(timeIntervalSince1970: 1_715_000_000.654321)
            let raw: [UInt8] = [0, 1, 2, 0xFF, 0x5C, 0x78, 0]
            let name = "مطعم السفرة 🍽️ \"quoted\" 'single'"
            try await connection.execute(
                """
                INSERT INTO kinds (id, name, big, small, tiny, flag, ratio, at, raw, doc, missing)
                VALUES (\(id), \(name), \(Int64.max), \(Int32.min), \(Int16(-7)), \(true), \(0.1), \(at), \(raw),
                        \(PGJSON(text: #"{"ar": "شاورما", "n": 2}"#)), \(String?.none))
                """)
            let row = try await connection.query("SELECT * FROM kinds WHERE id = \(id)").single()
            #expect(try row.decode("id", as: UUID.self) == id)
            #expect(try row.decode("name", as: String.self) == name)
            #expect(try row.decode("big", as: Int64.self) == .max)
            #expect(try row.decode("small", as: Int32.self) == .min)
            #expect(try row.decode("tiny", as: Int.self) == -7)
            #expect(try row.decode("flag", as: Bool.self))
            #expect(try row.decode("ratio", as: Double.self) == 0.1)
            #expect(try row.decode("at", as: Date.self) == at)
            #expect(try row.decode("raw", as: [UInt8].self) == raw)
            #expect(try row.decode("missing", as: String?.self) == nil)
            #expect(try row.decode("name", as: String?.self) == name)
            struct Doc: Decodable, Equatable {
                let ar: String
                let n: Int
            }
            #expect(try row.decodeJSON("doc", as: Doc.self) == Doc(ar: "شاورما", n: 2))
            #expect(throws: PGError.self) { try row.decode("missing", as: String.self) }
            #expect(throws: PGError.self) { try row.decode("name", as: Int.self) }
            #expect(throws: PGError.self) { try row.decode("nope", as: Int.self) }
            await connection.close()
        }
    }

    @Test func uniqueViolationIsItsOwnError() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            try await connection.simpleQuery("CREATE TABLE m (sid text CONSTRAINT m_sid UNIQUE)")
            try await connection.execute("INSERT INTO m VALUES (\("SM1"))")
            do {
                try await connection.execute("INSERT INTO m VALUES (\("SM1"))")
                Issue.record("expected a unique violation")
            } catch let error as PGError {
                #expect(error.isUniqueViolation)
                #expect(error.sqlState == "23505")
                #expect(error.constraint == "m_sid")
                #expect(error.detail?.contains("SM1") == true)
                #expect(!error.isConnectionError)
            }
            // The connection is still usable after a statement error.
            #expect(try await connection.query("SELECT count(*) AS n FROM m").single().decode("n", as: Int.self) == 1)
            await connection.close()
        }
    }

    @Test func pipelinedBatchEqualsOneByOne() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            try await connection.simpleQuery("CREATE TABLE a (n int, s text); CREATE TABLE b (n int, s text)")
            let values = (0..<50).map { ($0, "row \($0) صف") }
            for (n, s) in values { try await connection.execute("INSERT INTO a VALUES (\(n), \(s))") }
            let inserted = try await connection.pipeline(values.map { "INSERT INTO b VALUES (\($0.0), \($0.1))" })
            #expect(inserted.count == 50)
            #expect(inserted.allSatisfy { $0.rowsAffected == 1 })
            let left = try await connection.query("SELECT n, s FROM a ORDER BY n").map {
                "\(try $0.decode("n", as: Int.self)):\(try $0.decode("s", as: String.self))"
            }
            let right = try await connection.query("SELECT n, s FROM b ORDER BY n").map {
                "\(try $0.decode("n", as: Int.self)):\(try $0.decode("s", as: String.self))"
            }
            #expect(left.count == 50)
            #expect(left == right)
            // Reads pipelined return each statement's rows in order.
            let reads = try await connection.pipeline((0..<5).map { "SELECT \($0)::int AS v" })
            #expect(try reads.map { try $0.single().decode("v", as: Int.self) } == [0, 1, 2, 3, 4])
            await connection.close()
        }
    }

    @Test func aPipelineThatRunsAgainIsPreparedOnceOnTheSession() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            func run(_ round: Int) async throws -> [Int] {
                let rows = try await connection.pipeline([
                    "SELECT \(round)::int + 1 AS v", "SELECT \(round)::int + 2 AS v", "SELECT \(round)::int + 1 AS v",
                ])
                return try rows.map { try $0.single().decode("v", as: Int.self) }
            }
            func preparedCount() async throws -> Int {
                // Simple protocol: this query is never prepared itself.
                try await connection.simpleQuery("SELECT count(*) AS n FROM pg_prepared_statements").single().decode(
                    "n", as: Int.self)
            }
            #expect(try await run(0) == [1, 2, 1])
            #expect(try await preparedCount() == 1, "the text seen twice is prepared inside the pipeline")
            #expect(try await run(10) == [11, 12, 11])
            #expect(try await run(20) == [21, 22, 21])
            #expect(try await preparedCount() == 2, "each text prepared once, then run by name")
            // A session that lost its statements prepares them again instead of failing forever.
            try await connection.simpleQuery("DEALLOCATE ALL")
            _ = try? await run(30)
            #expect(try await run(40) == [41, 42, 41])
            await connection.close()
        }
    }

    @Test func pipelineErrorAbortsTheRestAndConnectionRecovers() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            try await connection.simpleQuery("CREATE TABLE u (k int UNIQUE)")
            let results = try await connection.pipelineResults([
                "INSERT INTO u VALUES (\(1))", "INSERT INTO u VALUES (\(1))", "INSERT INTO u VALUES (\(2))",
            ])
            #expect((try? results[0].get())?.rowsAffected == 1)
            #expect(throws: PGError.self) { try results[1].get() }
            #expect((try? results[1].get()) == nil)
            if case .failure(let error) = results[1] { #expect(error.isUniqueViolation) }
            if case .failure(let error) = results[2] { #expect(error.code == .pipelineAborted) }
            // One sync = one implicit transaction: the failure rolled back the first insert too.
            #expect(try await connection.query("SELECT count(*) AS n FROM u").single().decode("n", as: Int.self) == 0)
            await connection.close()
        }
    }

    @Test func multiRowInsertWritesEveryRow() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            try await connection.simpleQuery("CREATE TABLE w (sid text PRIMARY KEY, body text)")
            let rows: [[(any PGEncodable)?]] = (0..<300).map { ["SM\($0)", $0 % 2 == 0 ? "نص \($0)" : nil] }
            let insert = try PGQuery.insert(
                into: "w", columns: ["sid", "body"], rows: rows, suffix: "ON CONFLICT (sid) DO NOTHING RETURNING sid")
            #expect(try await connection.query(insert).count == 300)
            #expect(try await connection.query(insert).count == 0, "duplicates are skipped by ON CONFLICT")
            let body = try await connection.query("SELECT body FROM w WHERE sid = \("SM42")").single()
            #expect(try body.decode("body", as: String?.self) == "نص 42")
            await connection.close()
        }
    }

    @Test func concurrentCallersOnOneConnectionAreSerialized() async throws {
        let connection = try await PGConnection.connect(configuration: PostgresTestSupport.serverConfiguration())
        let sum = try await withThrowingTaskGroup(of: Int.self) { group in
            for value in 0..<100 {
                group.addTask {
                    try await connection.query("SELECT \(value)::int AS v").single().decode("v", as: Int.self)
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(sum == (0..<100).reduce(0, +))
        await connection.close()
    }

    @Test func killedBackendGivesAConnectionError() async throws {
        let server = try PostgresTestSupport.serverConfiguration()
        let connection = try await PGConnection.connect(configuration: server)
        let pid = await connection.backendPID
        try await PostgresTestSupport.terminate(backend: pid, server: server)
        do {
            _ = try await connection.query("SELECT 1")
            Issue.record("expected a connection error")
        } catch let error as PGError {
            #expect(error.isConnectionError, "\(error)")
        }
        #expect(connection.isClosed)
    }

    @Test func closedPortFailsFastWithAConnectionError() async throws {
        var configuration = try PostgresTestSupport.serverConfiguration()
        configuration.port = 1  // nothing listens on port 1
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await PGConnection.connect(configuration: configuration)
            Issue.record("expected a connection error")
        } catch let error as PGError {
            #expect(error.code == .connectionFailed)
            #expect(error.isConnectionError)
            #expect(error.message.contains("refused") || error.message.contains("connect"), "\(error)")
        }
        #expect(
            clock.now - start < .seconds(10), "a closed port answers at once; the bound only absorbs a loaded machine")
    }
}

import Foundation
import Testing

@testable import Infra

/// Write-path throughput: one-by-one vs pipelined vs multi-row. A measurement, not a test: it only runs with
/// `SUFRA_BENCH=1` (ideally `swift test -c release --filter PostgresWriteBenchmark`) and prints rows/s.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SUFRA_BENCH"] == "1"), .timeLimit(.minutes(15)))
struct PostgresWriteBenchmark {
    static let rows = 10_000
    static let batch = 100

    @Test func insertThroughput() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PostgresConnection.connect(configuration: configuration)
            try await connection.simpleQuery(
                "CREATE TABLE bench (id bigint PRIMARY KEY, sid text NOT NULL, body text, at timestamptz NOT NULL)")
            let now = Date()
            func row(_ id: Int) -> PostgresQuery {
                "INSERT INTO bench (id, sid, body, at) VALUES (\(id), \("SM\(id)"), \("مرحبا \(id)"), \(now))"
            }
            let clock = ContinuousClock()

            try await connection.simpleQuery("TRUNCATE bench")
            let oneByOne = try await clock.measure {
                for id in 0..<Self.rows { try await connection.execute(row(id)) }
            }

            try await connection.simpleQuery("TRUNCATE bench")
            let pipelined = try await clock.measure {
                for start in stride(from: 0, to: Self.rows, by: Self.batch) {
                    try await connection.pipeline((start..<start + Self.batch).map(row))
                }
            }

            try await connection.simpleQuery("TRUNCATE bench")
            let multiRow = try await clock.measure {
                for start in stride(from: 0, to: Self.rows, by: Self.batch) {
                    let rows: [[(any PostgresEncodable)?]] = (start..<start + Self.batch).map {
                        [$0, "SM\($0)", "مرحبا \($0)", now]
                    }
                    try await connection.execute(
                        PostgresQuery.insert(into: "bench", columns: ["id", "sid", "body", "at"], rows: rows))
                }
            }
            let count = try await connection.query("SELECT count(*) AS n FROM bench").single().decode("n", as: Int.self)
            #expect(count == Self.rows)

            func rate(_ duration: Duration) -> Int {
                let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
                return Int(Double(Self.rows) / seconds)
            }
            print(
                """
                PostgresWriteBenchmark (\(Self.rows) rows, batches of \(Self.batch); one commit per statement, per pipeline, per insert):
                  one-by-one: \(rate(oneByOne)) rows/s (\(oneByOne))
                  pipelined:  \(rate(pipelined)) rows/s (\(pipelined))
                  multi-row:  \(rate(multiRow)) rows/s (\(multiRow))
                """)
            await connection.close()
        }
    }
}

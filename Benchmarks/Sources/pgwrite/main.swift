// Write-path throughput of the PostgreSQL client: one INSERT per statement vs pipelined vs one multi-row INSERT,
// 10,000 rows in batches of 100 into a temporary table (nothing persists). The numbers in docs/postgres.md come
// from it. Build and run in release: `DATABASE_URL=… swift run -c release --package-path Benchmarks pgwrite`.
import Foundation
import Infra

let rows = 10_000
let batch = 100

guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
    FileHandle.standardError.write(Data("pgwrite: DATABASE_URL is required (eval \"$(scripts/services env)\")\n".utf8))
    exit(2)
}
let connection = try await PGConnection.connect(configuration: try PGConfiguration(url: url))
try await connection.simpleQuery(
    "CREATE TEMP TABLE bench (id bigint PRIMARY KEY, sid text NOT NULL, body text, at timestamptz NOT NULL)")
let now = Date()
func row(_ id: Int) -> PGQuery {
    "INSERT INTO bench (id, sid, body, at) VALUES (\(id), \("SM\(id)"), \("مرحبا \(id)"), \(now))"
}
let clock = ContinuousClock()

try await connection.simpleQuery("TRUNCATE bench")
let oneByOne = try await clock.measure {
    for id in 0..<rows { try await connection.execute(row(id)) }
}

try await connection.simpleQuery("TRUNCATE bench")
let pipelined = try await clock.measure {
    for start in stride(from: 0, to: rows, by: batch) {
        try await connection.pipeline((start..<start + batch).map(row))
    }
}

try await connection.simpleQuery("TRUNCATE bench")
let multiRow = try await clock.measure {
    for start in stride(from: 0, to: rows, by: batch) {
        let values: [[(any PGEncodable)?]] = (start..<start + batch).map { [$0, "SM\($0)", "مرحبا \($0)", now] }
        try await connection.execute(
            PGQuery.insert(into: "bench", columns: ["id", "sid", "body", "at"], rows: values))
    }
}
let count = try await connection.query("SELECT count(*) AS n FROM bench").single().decode("n", as: Int.self)
precondition(count == rows, "expected \(rows) rows, found \(count)")
await connection.close()

func rate(_ duration: Duration) -> Int {
    Int(Double(rows) / (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18))
}
print(
    """
    pgwrite (\(rows) rows, batches of \(batch); one commit per statement, per pipeline, per insert):
      one-by-one: \(rate(oneByOne)) rows/s (\(oneByOne))
      pipelined:  \(rate(pipelined)) rows/s (\(pipelined))
      multi-row:  \(rate(multiRow)) rows/s (\(multiRow))
    """)

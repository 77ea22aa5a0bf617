import Foundation
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct PGQueryTests {
    @Test func interpolationBindsValuesAsNumberedParameters() {
        let name = "x'); DROP TABLE restaurants; --"
        let limit = 5
        let missing: String? = nil
        let query: PGQuery = "SELECT * FROM t WHERE name = \(name) AND note = \(missing) LIMIT \(limit)"
        #expect(query.sql == "SELECT * FROM t WHERE name = $1 AND note = $2 LIMIT $3")
        #expect(query.binds.count == 3)
        #expect(!query.sql.contains("DROP"))
    }

    @Test func unescapedInterpolationSplicesCodeWrittenIdentifiers() {
        let query: PGQuery = "SELECT 1 FROM \(unescaped: "messages") WHERE id = \(1)"
        #expect(query.sql == "SELECT 1 FROM messages WHERE id = $1")
    }

    @Test func multiRowInsertNumbersBindsRowByRow() throws {
        let query = try PGQuery.insert(
            into: "items", columns: ["a", "b"], rows: [[1, "x"], [2, nil], [3, "z"]], suffix: "RETURNING a")
        #expect(query.sql == #"INSERT INTO "items" ("a", "b") VALUES ($1, $2), ($3, $4), ($5, $6) RETURNING a"#)
        #expect(query.binds.count == 6)
    }

    @Test func multiRowInsertRejectsBadShapes() {
        #expect(throws: PGError.self) { try PGQuery.insert(into: "t", columns: ["a"], rows: []) }
        #expect(throws: PGError.self) { try PGQuery.insert(into: "t", columns: ["a"], rows: [[1, 2]]) }
        let tooMany = Array(repeating: [(any PGEncodable)?](repeating: 1, count: 10), count: 7_000)
        #expect(throws: PGError.self) {
            try PGQuery.insert(into: "t", columns: Array(repeating: "a", count: 10), rows: tooMany)
        }
    }

    @Test func identifiersAreQuoted() {
        #expect(PGQuery.quoteIdentifier(#"we"ird"#) == #""we""ird""#)
    }

    @Test func timestampsFormatAndParseRoundTrip() throws {
        let dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_715_000_000.123456),
            Date(timeIntervalSince1970: -86_400 * 365.25 * 40 + 0.5), Date(timeIntervalSince1970: 4_102_444_800),
        ]
        for date in dates {
            let text = PGTimestamp.format(date)
            let parsed = try #require(Array(text.utf8).withUnsafeBytes { PGTimestamp.parse($0) })
            #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001, "\(text)")
        }
        #expect(PGTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000000+00")
    }

    @Test func timestampsWithOffsetsAndShortFractions() throws {
        func parse(_ text: String) -> Date? { Array(text.utf8).withUnsafeBytes { PGTimestamp.parse($0) } }
        #expect(parse("2024-01-02 03:04:05+00")?.timeIntervalSince1970 == 1_704_164_645)
        #expect(parse("2024-01-02 05:34:05.5+02:30")?.timeIntervalSince1970 == 1_704_164_645.5)
        #expect(parse("2024-01-02 03:04:05") != nil)
        #expect(parse("infinity") == nil)
        #expect(parse("2024-01-02 03:04:05+00 BC") == nil)
    }
}

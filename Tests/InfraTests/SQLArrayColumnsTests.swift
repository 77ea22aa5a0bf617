import Actors
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct SQLArrayColumnsTests {
    @Test func theStatementTextDoesNotDependOnTheRowCount() {
        var one = SQLArrayColumns(types: ["uuid", "text"])
        one.append(["00000000-0000-0000-0000-000000000001", "a"])
        var many = one
        for index in 0..<100 { many.append(["00000000-0000-0000-0000-000000000002", "row \(index)"]) }
        #expect(one.query("SELECT * FROM", "AS v(a, b)").sql == many.query("SELECT * FROM", "AS v(a, b)").sql)
        #expect(many.query("SELECT * FROM", "AS v(a, b)").binds.count == 2)
        #expect(one.unnest(firstParameter: 3) == "unnest($3::uuid[], $4::text[])")
    }

    @Test func everyValueComesBackAsAppendedInOrder() async throws {
        let texts: [String?] = [
            "plain", "", "NULL", nil, "quote \" and backslash \\ and \\\"", "{braces}, commas, (parens)",
            "  spaces around  ", "سطر\nجديد 🌯", "'single'",
        ]
        var columns = SQLArrayColumns(types: ["int", "text", "jsonb", "bool"])
        for (index, text) in texts.enumerated() {
            let json = text.map { "{\"body\":\"\(JSONText.quoted($0).dropFirst().dropLast())\"}" }
            columns.append([String(index), text, json, index % 2 == 0 ? "t" : "f"])
        }
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            let rows = try await connection.query(
                columns.query("SELECT v.i, v.t, v.j ->> 'body' AS b, v.f FROM", "AS v(i, t, j, f)"))
            #expect(try rows.map { try $0.decode("i", as: Int.self) } == Array(texts.indices))
            #expect(try rows.map { try $0.decode("t", as: String?.self) } == texts)
            #expect(try rows.map { try $0.decode("b", as: String?.self) } == texts)
            #expect(try rows.map { try $0.decode("f", as: Bool.self) } == texts.indices.map { $0 % 2 == 0 })
            await connection.close()
        }
    }
}

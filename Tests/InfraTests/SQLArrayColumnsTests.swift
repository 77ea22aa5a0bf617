import Actors
import Foundation
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct SQLArrayColumnsTests {
    @Test func theStatementTextDoesNotDependOnTheRowCount() throws {
        var one = SQLArrayColumns(types: [.uuid, .text])
        try one.append(["00000000-0000-0000-0000-000000000001", "a"])
        var many = one
        for index in 0..<100 { try many.append(["00000000-0000-0000-0000-000000000002", "row \(index)"]) }
        #expect(one.query("SELECT * FROM", "AS v(a, b)").sql == many.query("SELECT * FROM", "AS v(a, b)").sql)
        #expect(many.query("SELECT * FROM", "AS v(a, b)").binds.count == 2)
        #expect(one.unnest(firstParameter: 3) == "unnest($3::uuid[], $4::text[])")
    }

    @Test func everyValueComesBackAsAppendedInOrder() async throws {
        let texts: [String?] = [
            "plain", "", "NULL", nil, "quote \" and backslash \\ and \\\"", "{braces}, commas, (parens)",
            "  spaces around  ", "سطر\nجديد 🌯", "'single'",
        ]
        let ids: [String?] = texts.indices.map { index in
            index == 3 ? nil : index % 2 == 0 ? UUID().uuidString.lowercased() : UUID().uuidString
        }
        var columns = SQLArrayColumns(types: [.int, .text, .jsonb, .bool, .uuid, .bigint])
        for (index, text) in texts.enumerated() {
            let json = text.map { "{\"body\":\"\(JSONText.quoted($0).dropFirst().dropLast())\"}" }
            try columns.append([
                String(index), text, json, index % 2 == 0 ? "t" : "f", ids[index], String(Int64(index) << 40),
            ])
        }
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            let rows = try await connection.query(
                columns.query(
                    "SELECT v.i, v.t, v.j ->> 'body' AS b, v.f, v.u::text AS u, v.n FROM", "AS v(i, t, j, f, u, n)"))
            #expect(try rows.map { try $0.decode("i", as: Int.self) } == Array(texts.indices))
            #expect(try rows.map { try $0.decode("t", as: String?.self) } == texts)
            #expect(try rows.map { try $0.decode("b", as: String?.self) } == texts)
            #expect(try rows.map { try $0.decode("f", as: Bool.self) } == texts.indices.map { $0 % 2 == 0 })
            #expect(try rows.map { try $0.decode("u", as: String?.self) } == ids.map { $0?.lowercased() })
            #expect(try rows.map { try $0.decode("n", as: Int.self) } == texts.indices.map { $0 << 40 })
            await connection.close()
        }
    }

    @Test func noRowsIsAnEmptyArrayForEveryColumn() async throws {
        let columns = SQLArrayColumns(types: [.uuid, .text, .jsonb, .bool, .int, .bigint])
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            let rows = try await connection.query(columns.query("SELECT count(*) AS n FROM", "AS v(a, b, c, d, e, f)"))
            #expect(try rows.single().decode("n", as: Int.self) == 0)
            await connection.close()
        }
    }

    @Test func aValueNotOfItsColumnsTypeIsRefusedBeforeAnythingIsSent() {
        let refused: [(SQLArrayElement, String)] = [
            (.uuid, "not-a-uuid"), (.uuid, "00000000-0000-0000-0000-00000000000"),
            (.uuid, "00000000-0000-0000-0000-0000000000000"), (.uuid, "00000000x0000-0000-0000-000000000000"),
            (.uuid, "0000000g-0000-0000-0000-000000000000"), (.int, "12x"), (.int, "3000000000"), (.bigint, ""),
            (.bool, "true"),
        ]
        for (type, value) in refused {
            var columns = SQLArrayColumns(types: [type])
            #expect(throws: SQLArrayElement.InvalidValue.self, "\(type) \(value)") { try columns.append([value]) }
        }
    }
}

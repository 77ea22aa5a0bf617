import Actors
import Foundation
import Logging
import Testing

@testable import Infra

/// The group-commit writer: concurrent webhooks share transactions, and one bad entry never fails its neighbours.
@Suite(.timeLimit(.minutes(3))) struct GroupCommitIngestTests {
    private static func webhook(restaurant: String, customer: String, body: String = "hi") -> InboundWebhook {
        let sid = "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return InboundWebhook(
            restaurantId: restaurant, messageSid: sid, from: customer, to: "whatsapp:+1000", body: body,
            profileName: nil, parameters: [("MessageSid", sid), ("Body", body)])
    }

    private static func step(expectedVersion: Int64 = 0) -> DecidedStep {
        DecidedStep(
            expectedVersion: expectedVersion, state: .mainMenu, language: .en, effects: [],
            replies: [.ready(.text("Welcome"))])
    }

    /// Migrates the scratch database and creates one restaurant; returns its id.
    private static func migratedRestaurant(_ client: PGPool) async throws -> String {
        try await Migrator().migrate(client)
        return try await client.query(
            """
            INSERT INTO restaurants (name, whatsapp_from, twilio_account_sid, twilio_auth_token_enc)
            VALUES ('R', 'whatsapp:+1000', 'AC1', 'k1:x') RETURNING id
            """
        ).single().decode("id", as: UUID.self).uuidString.lowercased()
    }

    @Test func aRowTheDatabaseRejectsFailsAloneAndItsNeighboursCommit() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let restaurant = try await Self.migratedRestaurant(client)
                var options = GroupCommitOptions()
                options.flushers = 1
                let ingest = GroupCommitIngest(client: client, options: options, logger: Logger(label: "test"))
                // A restaurant deleted under the webhook: its conversation row violates the foreign key.
                let orphan = Self.webhook(restaurant: UUID().uuidString.lowercased(), customer: "whatsapp:+2")
                let good = (0..<20).map { Self.webhook(restaurant: restaurant, customer: "whatsapp:+3\($0)") }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await ingest.run() }
                    let results = await withTaskGroup(of: (String, Bool).self) { submissions in
                        for message in good + [orphan] {
                            submissions.addTask {
                                let outcome = try? await ingest.ingest(message, step: Self.step())
                                guard case .accepted(let receipt)? = outcome else { return (message.messageSid, false) }
                                return (message.messageSid, receipt.step?.queuedMessageIds.count == 1)
                            }
                        }
                        return await submissions.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
                    }
                    #expect(results[orphan.messageSid] == false)
                    #expect(good.allSatisfy { results[$0.messageSid] == true })
                    group.cancelAll()
                }
                let stored = try await client.query(
                    """
                    SELECT count(*) FILTER (WHERE direction = 'inbound' AND handled_at IS NOT NULL) AS handled,
                           count(*) FILTER (WHERE direction = 'outbound') AS replies FROM messages
                    """
                ).single()
                #expect(try stored.decode("handled", as: Int.self) == 20)
                #expect(try stored.decode("replies", as: Int.self) == 20)
            }
        }
    }

    @Test func aStepDecidedFromAnotherVersionStoresTheMessageUnhandled() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let restaurant = try await Self.migratedRestaurant(client)
                let ingest = GroupCommitIngest(client: client, logger: Logger(label: "test"))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await ingest.run() }
                    let first = try await ingest.ingest(
                        Self.webhook(restaurant: restaurant, customer: "whatsapp:+4"), step: Self.step())
                    guard case .accepted(let receipt) = first else {
                        Issue.record("first message not accepted")
                        return
                    }
                    #expect(receipt.step?.version == 1)
                    // Decided from version 0 again: the row is at 1, so the step must not apply.
                    let stale = try await ingest.ingest(
                        Self.webhook(restaurant: restaurant, customer: "whatsapp:+4"), step: Self.step())
                    guard case .accepted(let second) = stale else {
                        Issue.record("second message not accepted")
                        return
                    }
                    #expect(second.step == nil)
                    #expect(second.conversationId == receipt.conversationId)
                    group.cancelAll()
                }
                let row = try await client.query(
                    """
                    SELECT c.version, c.unread_count,
                           (SELECT count(*) FROM messages WHERE handled_at IS NULL AND direction = 'inbound') AS unhandled
                    FROM conversations c
                    """
                ).single()
                #expect(try row.decode("version", as: Int64.self) == 1)
                #expect(try row.decode("unread_count", as: Int.self) == 2)
                #expect(try row.decode("unhandled", as: Int.self) == 1)
            }
        }
    }
}

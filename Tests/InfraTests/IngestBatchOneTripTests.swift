import Actors
import Foundation
import Testing

@testable import Infra

/// The batch in one round trip: taken when every step was decided from a stored row, and abandoned for the careful
/// path — with nothing of the first attempt left behind — when a conversation moved or a MessageSid was stored before.
@Suite(.timeLimit(.minutes(2))) struct IngestBatchOneTripTests {
    private static func webhook(restaurant: String, customer: String, sid: String? = nil) -> InboundWebhook {
        let sid = sid ?? "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return InboundWebhook(
            restaurantId: restaurant, messageSid: sid, from: customer, to: "whatsapp:+1000", body: "hi",
            profileName: nil, parameters: [("MessageSid", sid), ("Body", "hi")])
    }

    private static func step(from version: Int64, conversation: String?) -> DecidedStep {
        DecidedStep(
            expectedVersion: version, conversationId: conversation, state: .mainMenu, language: .en, effects: [],
            replies: [.ready(.text("Menu"))])
    }

    private static func commit(
        _ items: [IngestBatchWriter.Item], _ client: PGPool
    ) async throws -> IngestBatchWriter.Written {
        try await client.withConnection { connection in
            try await IngestBatchWriter(entries: items).commitBatch(on: connection)
        }
    }

    /// Ann and Bob each with a stored conversation at version 1 (their first messages went the careful way).
    private static func twoConversations(
        _ client: PGPool
    ) async throws -> (restaurant: String, ann: String, bob: String, firstBob: InboundWebhook) {
        let restaurant = try await PostgresTestSupport.migratedRestaurant(client)
        let firstBob = webhook(restaurant: restaurant, customer: "whatsapp:+2")
        let first = try await commit(
            [
                .message(
                    webhook(restaurant: restaurant, customer: "whatsapp:+1"), step(from: 0, conversation: nil),
                    orderNumber: nil),
                .message(firstBob, step(from: 0, conversation: nil), orderNumber: nil),
            ], client)
        #expect(!first.inOneRoundTrip)
        guard case .accepted(let ann) = first.outcomes[0], case .accepted(let bob) = first.outcomes[1] else {
            throw Failure("first messages not accepted: \(first.outcomes)")
        }
        return (restaurant, ann.conversationId, bob.conversationId, firstBob)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private static func handled(_ sid: String, _ client: PGPool) async throws -> [Bool] {
        try await client.query("SELECT handled_at IS NOT NULL AS handled FROM messages WHERE sid = \(sid)")
            .map { try $0.decode("handled", as: Bool.self) }
    }

    @Test func stepsFromStoredRowsGoInOneRoundTrip() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let (restaurant, ann, bob, _) = try await Self.twoConversations(client)
                let annMessage = Self.webhook(restaurant: restaurant, customer: "whatsapp:+1")
                let throttled = Self.webhook(restaurant: restaurant, customer: "whatsapp:+3")
                let written = try await Self.commit(
                    [
                        .message(annMessage, Self.step(from: 1, conversation: ann), orderNumber: nil),
                        .auditOnly(throttled, "throttled:customer"),
                        .message(
                            Self.webhook(restaurant: restaurant, customer: "whatsapp:+2"),
                            Self.step(from: 1, conversation: bob), orderNumber: nil),
                    ], client)
                #expect(written.inOneRoundTrip)
                guard case .accepted(let receipt) = written.outcomes[0] else {
                    Issue.record("Ann's message not accepted: \(written.outcomes[0])")
                    return
                }
                #expect(receipt.conversationId == ann)
                #expect(receipt.step?.version == 2)
                #expect(receipt.step?.queuedMessageIds.count == 1)
                let stored = try await client.query("SELECT id FROM messages WHERE sid = \(annMessage.messageSid)")
                    .map { try $0.decodeID("id") }
                #expect(stored == [receipt.messageId])
                #expect(try await Self.handled(annMessage.messageSid, client) == [true])
                let rows = try await client.query(
                    "SELECT version, unread_count FROM conversations ORDER BY customer")
                let state = try rows.map {
                    "\(try $0.decode("version", as: Int64.self)) \(try $0.decode("unread_count", as: Int.self))"
                }
                #expect(state == ["2 2", "2 2"])
                let audit = try await client.query(
                    "SELECT outcome FROM webhook_audit WHERE message_sid = \(throttled.messageSid)"
                ).map { try $0.decode("outcome", as: String.self) }
                #expect(audit == ["throttled:customer"])
            }
        }
    }

    @Test func aConversationMovedMeanwhileIsWrittenTheCarefulWay() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let (restaurant, ann, bob, _) = try await Self.twoConversations(client)
                // Another writer (a staff move, another process) moved Ann's conversation after her step was decided.
                try await client.query("UPDATE conversations SET version = version + 1 WHERE id = \(ann)::uuid")
                let annMessage = Self.webhook(restaurant: restaurant, customer: "whatsapp:+1")
                let bobMessage = Self.webhook(restaurant: restaurant, customer: "whatsapp:+2")
                let written = try await Self.commit(
                    [
                        .message(annMessage, Self.step(from: 1, conversation: ann), orderNumber: nil),
                        .message(bobMessage, Self.step(from: 1, conversation: bob), orderNumber: nil),
                    ], client)
                #expect(!written.inOneRoundTrip)
                guard case .accepted(let annReceipt) = written.outcomes[0],
                    case .accepted(let bobReceipt) = written.outcomes[1]
                else {
                    Issue.record("messages not accepted: \(written.outcomes)")
                    return
                }
                // Ann's message is stored once, unhandled, for her actor to handle from the row; Bob's step applied.
                #expect(annReceipt.step == nil)
                #expect(try await Self.handled(annMessage.messageSid, client) == [false])
                #expect(bobReceipt.step?.version == 2)
                #expect(try await Self.handled(bobMessage.messageSid, client) == [true])
                let versions = try await client.query("SELECT version FROM conversations ORDER BY customer")
                    .map { try $0.decode("version", as: Int64.self) }
                #expect(versions == [2, 2])
                let replies = try await client.query(
                    "SELECT count(*) AS n FROM messages WHERE direction = 'outbound' AND conversation_id = \(ann)::uuid"
                ).single().decode("n", as: Int.self)
                #expect(replies == 1)  // the first step's only
            }
        }
    }

    @Test func aMessageStoredBeforeIsADuplicateWrittenTheCarefulWay() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let (restaurant, ann, bob, firstBob) = try await Self.twoConversations(client)
                let annMessage = Self.webhook(restaurant: restaurant, customer: "whatsapp:+1")
                // Twilio retries Bob's first message, which this actor no longer remembers (a restart).
                let written = try await Self.commit(
                    [
                        .message(annMessage, Self.step(from: 1, conversation: ann), orderNumber: nil),
                        .message(firstBob, Self.step(from: 1, conversation: bob), orderNumber: nil),
                    ], client)
                #expect(!written.inOneRoundTrip)
                #expect(written.outcomes[1] == .duplicate)
                guard case .accepted(let annReceipt) = written.outcomes[0] else {
                    Issue.record("Ann's message not accepted: \(written.outcomes[0])")
                    return
                }
                #expect(annReceipt.step?.version == 2)
                #expect(try await Self.handled(firstBob.messageSid, client) == [true])
                let bobVersion = try await client.query("SELECT version FROM conversations WHERE id = \(bob)::uuid")
                    .single().decode("version", as: Int64.self)
                #expect(bobVersion == 1)
                let inbound = try await client.query(
                    "SELECT count(*) AS n FROM messages WHERE direction = 'inbound'"
                ).single().decode("n", as: Int.self)
                #expect(inbound == 3)
            }
        }
    }
}

import Actors
import Foundation
import Testing

@testable import Infra

/// The batch in one round trip: taken when every step was decided from a stored row or for a customer with none, and
/// abandoned for the careful path — with nothing of the first attempt left behind — when a conversation moved, a
/// new customer's row exists already, a MessageSid was stored before or a confirmation's draft is gone.
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

    /// Ann and Bob each with a stored conversation at version 1 (their rows created by the same round trip).
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
        #expect(first.inOneRoundTrip)
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

    @Test func aNewCustomersRowCreatedMeanwhileIsWrittenTheCarefulWay() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let restaurant = try await PostgresTestSupport.migratedRestaurant(client)
                // Another process created Cy's row after his actor found none.
                let existing = try await client.query(
                    """
                    INSERT INTO conversations (restaurant_id, customer) VALUES (\(restaurant)::uuid, 'whatsapp:+3')
                    RETURNING id
                    """
                ).single().decodeID("id")
                let written = try await Self.commit(
                    [
                        .message(
                            Self.webhook(restaurant: restaurant, customer: "whatsapp:+3"),
                            Self.step(from: 0, conversation: nil), orderNumber: nil)
                    ], client)
                #expect(!written.inOneRoundTrip)
                guard case .accepted(let receipt) = written.outcomes[0] else {
                    Issue.record("Cy's message not accepted: \(written.outcomes[0])")
                    return
                }
                #expect(receipt.conversationId == existing)
                #expect(receipt.step?.version == 1)
                let rows = try await client.query("SELECT count(*) AS n FROM conversations").single()
                #expect(try rows.decode("n", as: Int.self) == 1)
            }
        }
    }

    @Test func aConfirmationShowsItsNumberInOneRoundTripAndWithoutItsDraftGoesTheCarefulWay() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let (restaurant, ann, bob, _) = try await Self.twoConversations(client)
                // Ann has a draft; Bob's was cancelled by staff after his step was decided.
                for conversation in [ann, bob] {
                    try await client.query(
                        """
                        INSERT INTO orders (restaurant_id, conversation_id, customer, type, status)
                        SELECT restaurant_id, id, customer, 'pickup', 'DRAFT' FROM conversations
                        WHERE id = \(conversation)::uuid
                        """)
                }
                try await client.query(
                    "UPDATE orders SET status = 'CANCELLED' WHERE conversation_id = \(bob)::uuid")
                func confirm(_ conversation: String) -> DecidedStep {
                    DecidedStep(
                        expectedVersion: 1, conversationId: conversation, state: .mainMenu, language: .en,
                        effects: [.confirm], replies: [.orderConfirmed(total: 900, language: .en, format: .default)])
                }
                let annWritten = try await Self.commit(
                    [
                        .message(
                            Self.webhook(restaurant: restaurant, customer: "whatsapp:+1"), confirm(ann),
                            orderNumber: 41)
                    ], client)
                #expect(annWritten.inOneRoundTrip)
                let bobWritten = try await Self.commit(
                    [
                        .message(
                            Self.webhook(restaurant: restaurant, customer: "whatsapp:+2"), confirm(bob),
                            orderNumber: 42)
                    ], client)
                #expect(!bobWritten.inOneRoundTrip)
                let orders = try await client.query(
                    "SELECT conversation_id, status, number FROM orders ORDER BY conversation_id = \(bob)::uuid"
                ).map { "\(try $0.decode("status", as: String.self)) \(try $0.decode("number", as: Int?.self) ?? 0)" }
                #expect(orders == ["CONFIRMED 41", "CANCELLED 0"])
                let replies = try await client.query(
                    """
                    SELECT body FROM messages WHERE direction = 'outbound' AND body <> 'Menu'
                    ORDER BY conversation_id = \(bob)::uuid
                    """
                ).map { try $0.decode("body", as: String.self) }
                #expect(replies.count == 2)
                #expect(replies.first?.contains("41") == true, "Ann's confirmation shows its number: \(replies)")
                #expect(replies.last?.contains("42") == false, "Bob's order was not confirmed: \(replies)")
            }
        }
    }
}

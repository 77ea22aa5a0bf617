import Actors
import Foundation
import Testing

@testable import Infra

/// The group commit's statements: each conversation row is written once per batch, whatever the batch holds.
@Suite(.timeLimit(.minutes(2))) struct IngestBatchWriterTests {
    private static func webhook(
        restaurant: String, customer: String, sid: String? = nil, profile: String? = nil
    ) -> InboundWebhook {
        let sid = sid ?? "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return InboundWebhook(
            restaurantId: restaurant, messageSid: sid, from: customer, to: "whatsapp:+1000", body: "hi",
            profileName: profile, parameters: [("MessageSid", sid), ("Body", "hi")])
    }

    private static func step(from version: Int64) -> DecidedStep {
        DecidedStep(
            expectedVersion: version, state: .mainMenu, language: .en, effects: [], replies: [.ready(.text("Menu"))])
    }

    /// Writes one batch on a connection of its own, as the group commit does.
    private static func commit(_ items: [IngestBatchWriter.Item], _ client: PGPool) async throws -> [IngestOutcome] {
        try await client.withConnection { connection in
            try await IngestBatchWriter(entries: items).commit(on: connection)
        }
    }

    @Test func eachConversationRowIsWrittenOncePerBatch() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let restaurant = try await PostgresTestSupport.migratedRestaurant(client)
                // Every row version written to `conversations`, by a trigger of this scratch database.
                try await client.withConnection { connection in
                    try await connection.simpleQuery(
                        """
                        CREATE TABLE conversation_writes (customer text NOT NULL, op text NOT NULL);
                        CREATE FUNCTION count_conversation_write() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN INSERT INTO conversation_writes VALUES (NEW.customer, TG_OP); RETURN NEW; END $$;
                        CREATE TRIGGER count_conversation_writes AFTER INSERT OR UPDATE ON conversations
                            FOR EACH ROW EXECUTE FUNCTION count_conversation_write();
                        CREATE TABLE conversation_creations (customer text NOT NULL);
                        CREATE FUNCTION count_conversation_creation() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN INSERT INTO conversation_creations VALUES (NEW.customer); RETURN NEW; END $$;
                        CREATE TRIGGER count_conversation_creations BEFORE INSERT ON conversations
                            FOR EACH ROW EXECUTE FUNCTION count_conversation_creation();
                        """)
                }
                let ann = "whatsapp:+1"
                let bob = "whatsapp:+2"
                let cy = "whatsapp:+3"
                let eve = "whatsapp:+5"
                let eveFirst = Self.webhook(restaurant: restaurant, customer: eve)
                _ = try await Self.commit(
                    [
                        .message(
                            Self.webhook(restaurant: restaurant, customer: ann), Self.step(from: 0), orderNumber: nil),
                        .message(Self.webhook(restaurant: restaurant, customer: bob), nil, orderNumber: nil),
                        .message(eveFirst, nil, orderNumber: nil),
                    ], client)
                _ = try await client.query("TRUNCATE conversation_writes, conversation_creations")

                // Ann: a step from the version stored and a second message; Bob: a new profile name; Cy: new;
                // Eve: only Twilio's retry of a message stored before.
                let outcomes = try await Self.commit(
                    [
                        .message(
                            Self.webhook(restaurant: restaurant, customer: ann), Self.step(from: 1), orderNumber: nil),
                        .message(Self.webhook(restaurant: restaurant, customer: ann), nil, orderNumber: nil),
                        .message(
                            Self.webhook(restaurant: restaurant, customer: bob, profile: "Bob"), nil, orderNumber: nil),
                        .message(
                            Self.webhook(restaurant: restaurant, customer: cy, profile: "Cy"), nil, orderNumber: nil),
                        .message(
                            Self.webhook(restaurant: restaurant, customer: eve, sid: eveFirst.messageSid), nil,
                            orderNumber: nil),
                    ], client)
                guard case .accepted(let annReceipt) = outcomes[0] else {
                    Issue.record("Ann's message not accepted: \(outcomes[0])")
                    return
                }
                #expect(annReceipt.step?.version == 2)
                #expect(outcomes[4] == .duplicate)
                // The duplicate leaves an audit line of its own, with its payload; the accepted webhook's line is its
                // message, and the log shows both (migration 9).
                let own = try await client.query(
                    """
                    SELECT outcome, payload->>'Body' AS body FROM webhook_audit
                    WHERE message_sid = \(eveFirst.messageSid)
                    """
                ).map { "\(try $0.decode("outcome", as: String.self)) \(try $0.decode("body", as: String.self))" }
                #expect(own == ["duplicate hi"])
                let log = try await client.query(
                    """
                    SELECT outcome, message_id IS NOT NULL AS by_message, payload->>'Body' AS body FROM webhook_audit_log
                    WHERE message_sid = \(eveFirst.messageSid) ORDER BY outcome
                    """
                ).map {
                    "\(try $0.decode("outcome", as: String.self)) \(try $0.decode("by_message", as: Bool.self)) "
                        + (try $0.decode("body", as: String.self))
                }
                #expect(log == ["accepted true hi", "duplicate false hi"])

                // Ann's step was decided from a stored version: her row exists and no insert of it is even tried.
                let tried = try await client.query("SELECT customer FROM conversation_creations ORDER BY customer")
                    .map { try $0.decode("customer", as: String.self) }
                #expect(tried == [bob, cy, eve])

                let writes = try await client.query(
                    "SELECT customer, op, count(*) AS n FROM conversation_writes GROUP BY customer, op ORDER BY 1, 2")
                let counted = try writes.map {
                    "\(try $0.decode("customer", as: String.self)) \(try $0.decode("op", as: String.self)) "
                        + "\(try $0.decode("n", as: Int.self))"
                }
                #expect(counted == ["\(ann) UPDATE 1", "\(bob) UPDATE 1", "\(cy) INSERT 1", "\(cy) UPDATE 1"])

                let rows = try await client.query(
                    "SELECT customer, version, unread_count, profile_name FROM conversations ORDER BY customer")
                let state = try rows.map {
                    "\(try $0.decode("customer", as: String.self)) v\(try $0.decode("version", as: Int64.self)) "
                        + "unread \(try $0.decode("unread_count", as: Int.self)) "
                        + (try $0.decode("profile_name", as: String?.self) ?? "-")
                }
                #expect(
                    state == [
                        "\(ann) v2 unread 3 -", "\(bob) v0 unread 2 Bob", "\(cy) v0 unread 1 Cy",
                        "\(eve) v0 unread 1 -",
                    ])
            }
        }
    }

    /// The move is the only write of an existing conversation row, and it is a HOT update (no index entry) unless the
    /// message opens a new five-minute window of the staff list's index (migration 11): read from the server's own
    /// counters, on the connection that wrote the batch.
    @Test func aMoveIsAHotUpdateUnlessItOpensANewWindow() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let restaurant = try await PostgresTestSupport.migratedRestaurant(client)
                let ann = "whatsapp:+1"
                // One connection throughout: the counters read are those its backend flushed.
                try await client.withConnection { connection in
                    // One message from Ann with a step decided from `version`, in a batch of its own.
                    func message(from version: Int64) async throws {
                        let item = IngestBatchWriter.Item.message(
                            Self.webhook(restaurant: restaurant, customer: ann), Self.step(from: version),
                            orderNumber: nil)
                        _ = try await IngestBatchWriter(entries: [item]).commit(on: connection)
                    }
                    try await message(from: 0)
                    // Updates and HOT updates of `conversations` so far, and Ann's window, as this backend counts them.
                    func counted() async throws -> (updates: Int, hot: Int, window: String) {
                        _ = try await connection.query("SELECT pg_stat_force_next_flush()")
                        let row = try await connection.query(
                            """
                            SELECT s.n_tup_upd AS updates, s.n_tup_hot_upd AS hot, c.last_message_window::text AS w
                            FROM pg_stat_user_tables s, conversations c
                            WHERE s.relname = 'conversations' AND c.customer = \(ann)
                            """
                        ).single()
                        return (
                            try row.decode("updates", as: Int.self), try row.decode("hot", as: Int.self),
                            try row.decode("w", as: String.self)
                        )
                    }
                    let before = try await counted()
                    try await message(from: 1)
                    let within = try await counted()
                    #expect(within.updates == before.updates + 1)
                    // The clock may cross a window's edge between the two batches: then, and only then, not HOT.
                    #expect(within.hot == before.hot + (within.window == before.window ? 1 : 0))

                    // The last message ten minutes older (itself a move to another window): the next message opens a
                    // new window, and its move writes index entries.
                    _ = try await connection.query(
                        "UPDATE conversations SET last_message_at = now() - interval '10 minutes' WHERE customer = \(ann)"
                    )
                    let moved = try await counted()
                    try await message(from: 2)
                    let opened = try await counted()
                    #expect(opened.window != moved.window)
                    #expect(opened.updates == moved.updates + 1)
                    #expect(opened.hot == moved.hot)
                }
            }
        }
    }

    /// A step decided from a stored version leaves its conversation out of the batch's creations; should the row be
    /// gone after all (deleted under a running actor), the batch starts again creating it, and the message is
    /// stored, unhandled, rather than dropped.
    @Test func aConversationGoneUnderAStepFromAStoredVersionIsCreatedAgain() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let restaurant = try await PostgresTestSupport.migratedRestaurant(client)
                let fay = "whatsapp:+6"
                _ = try await Self.commit(
                    [
                        .message(
                            Self.webhook(restaurant: restaurant, customer: fay), Self.step(from: 0), orderNumber: nil)
                    ],
                    client)
                _ = try await client.query("DELETE FROM messages")
                _ = try await client.query("DELETE FROM conversations")

                let late = Self.webhook(restaurant: restaurant, customer: fay)
                let outcomes = try await Self.commit([.message(late, Self.step(from: 1), orderNumber: nil)], client)
                guard case .accepted(let receipt) = outcomes[0] else {
                    Issue.record("the message was not stored: \(outcomes[0])")
                    return
                }
                #expect(receipt.step == nil)
                let stored = try await client.query(
                    """
                    SELECT m.handled_at IS NULL AS unhandled, c.version FROM messages m
                    JOIN conversations c ON c.id = m.conversation_id WHERE m.sid = \(late.messageSid)
                    """
                ).single()
                #expect(try stored.decode("unhandled", as: Bool.self))
                #expect(try stored.decode("version", as: Int64.self) == 0)
            }
        }
    }

    /// Order effects answer the same whichever round trip carries them: with the move and the replies when no reply
    /// waits for them (Ann's cart), in a round trip of their own when a confirmation's reply shows the number it
    /// assigned (Bob's order, in a batch with Cy's cart).
    @Test func orderEffectsAnswerTheStepWhetherOrNotARepliesWaitsForThem() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let restaurant = try await PostgresTestSupport.migratedRestaurant(client)
                let menuItem = try await client.query(
                    """
                    INSERT INTO menu_items (restaurant_id, position, name_ar, name_en, price)
                    VALUES (\(restaurant)::uuid, 0, 'فلافل', 'Falafel', 1250) RETURNING id
                    """
                ).single().decodeID("id")
                let line = OrderLine(
                    menuItemId: menuItem, name: "Falafel", quantity: 2, unitPrice: 1250, lineTotal: 2500)
                func cart(_ reply: BotReply) -> DecidedStep {
                    DecidedStep(
                        expectedVersion: 0, state: .mainMenu, language: .en,
                        effects: [.createDraft(.pickup), .setLines([line])], replies: [reply])
                }
                let order = DecidedStep(
                    expectedVersion: 0, state: .mainMenu, language: .en,
                    effects: [.createDraft(.pickup), .setLines([line]), .confirm],
                    replies: [.orderConfirmed(total: 2500, language: .en, format: .default)])
                let ann = Self.webhook(restaurant: restaurant, customer: "whatsapp:+1")
                let bob = Self.webhook(restaurant: restaurant, customer: "whatsapp:+2")
                let cy = Self.webhook(restaurant: restaurant, customer: "whatsapp:+3")

                let alone = try await Self.commit(
                    [.message(ann, cart(.ready(.text("Cart: 2 × Falafel"))), orderNumber: nil)], client)
                let together = try await Self.commit(
                    [
                        .message(bob, order, orderNumber: 7),
                        .message(cy, cart(.ready(.text("Cart: 2 × Falafel"))), orderNumber: nil),
                    ], client)

                for (name, outcome, status, number) in [
                    ("Ann", alone[0], OrderStatus.draft, 0), ("Bob", together[0], .confirmed, 7),
                    ("Cy", together[1], .draft, 0),
                ] {
                    guard case .accepted(let receipt) = outcome, let step = receipt.step else {
                        Issue.record("\(name)'s step not applied: \(outcome)")
                        continue
                    }
                    #expect(step.version == 1, "\(name)")
                    #expect(step.queuedMessageIds.count == 1, "\(name)")
                    let touched = try #require(step.orders.first, "\(name)")
                    #expect(step.orders.count == 1 && touched.status == status, "\(name): \(step.orders)")
                    #expect(touched.total == 2500 && touched.number == number, "\(name): \(touched)")
                }
                let replies = try await client.query(
                    """
                    SELECT c.customer, m.body FROM messages m JOIN conversations c ON c.id = m.conversation_id
                    WHERE m.direction = 'outbound' ORDER BY c.customer
                    """
                ).map { try $0.decode("body", as: String.self) }
                #expect(replies.count == 3)
                #expect(replies[0] == "Cart: 2 × Falafel" && replies[2] == "Cart: 2 × Falafel")
                #expect(replies[1].contains("7"), "the confirmation shows its number: \(replies[1])")
                let items = try await client.query("SELECT count(*) AS n FROM order_items").single()
                #expect(try items.decode("n", as: Int.self) == 3)
            }
        }
    }

    /// Of a conversation's steps in one batch, the first decided from its stored version applies; one decided from
    /// another version, a later one, a duplicate's and a step of a message seen twice in the batch do not. The
    /// insert decides this in SQL and the writer in Swift: each message stored handled is exactly a step applied.
    @Test func theFirstStepFromTheStoredVersionAppliesAndOnlyItsMessageIsBornHandled() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let restaurant = try await PostgresTestSupport.migratedRestaurant(client)
                let ann = "whatsapp:+1"
                let dan = "whatsapp:+4"
                let stored = Self.webhook(restaurant: restaurant, customer: dan)
                _ = try await Self.commit([.message(stored, nil, orderNumber: nil)], client)

                let batch: [IngestBatchWriter.Item] = [
                    .message(Self.webhook(restaurant: restaurant, customer: ann), Self.step(from: 7), orderNumber: nil),
                    .message(Self.webhook(restaurant: restaurant, customer: ann), Self.step(from: 0), orderNumber: nil),
                    .message(Self.webhook(restaurant: restaurant, customer: ann), Self.step(from: 0), orderNumber: nil),
                    // Dan: Twilio's retry of a stored message takes the first step's place, then a new one from v0.
                    .message(
                        Self.webhook(restaurant: restaurant, customer: dan, sid: stored.messageSid), Self.step(from: 0),
                        orderNumber: nil),
                    .message(Self.webhook(restaurant: restaurant, customer: dan), Self.step(from: 0), orderNumber: nil),
                ]
                let outcomes = try await Self.commit(batch, client)
                let applied = outcomes.map { outcome -> Bool? in
                    guard case .accepted(let receipt) = outcome else { return nil }
                    return receipt.step != nil
                }
                #expect(applied == [false, true, false, nil, false])

                let handled = try await client.query(
                    """
                    SELECT sid FROM messages WHERE direction = 'inbound' AND handled_at IS NOT NULL
                    """
                ).map { try $0.decode("sid", as: String.self) }
                #expect(handled == [batch[1].webhook.messageSid])
                let versions = try await client.query("SELECT customer, version FROM conversations ORDER BY customer")
                    .map {
                        "\(try $0.decode("customer", as: String.self)) v\(try $0.decode("version", as: Int64.self))"
                    }
                #expect(versions == ["\(ann) v1", "\(dan) v0"])
            }
        }
    }
}

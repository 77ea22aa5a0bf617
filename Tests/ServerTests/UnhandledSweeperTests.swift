import Actors
import Foundation
import HummingbirdTesting
import Infra
import SufraTestSupport
import Testing

@testable import Server

/// The sweeper against real poison: messages the database refuses to mark handled (as it refuses a `\u0000` in
/// `jsonb`) used to be re-driven forever, oldest 500 first, so 500 of them starved every newer message.
@Suite(.serialized) struct UnhandledSweeperTests {
    static func options() -> SufraApplication.Options {
        var options = SufraApplication.Options.forTests
        options.runSender = false
        options.unhandledGraceSeconds = 1
        options.unhandledSweepInterval = .milliseconds(200)
        options.inboundRetryPolicy = InboundRetryPolicy(
            maxAttempts: 2, initialBackoff: .milliseconds(300), maxBackoff: .milliseconds(600))
        return options
    }

    @Test func poisonMessagesFailVisiblyAfterTheirAttemptsAndDoNotStarveTheRest() async throws {
        try await SufraTestApp.run(options: Self.options()) { app, client, sufra in
            let restaurant = try await client.createRestaurant()
            let (poisonConversation, healthy) = try await app.database.withClient { db in
                try await db.execute(
                    """
                    CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.body = 'poison' AND NEW.handled_at IS NOT NULL AND OLD.handled_at IS NULL THEN
                            RAISE EXCEPTION 'poison message refused';
                        END IF;
                        RETURN NEW;
                    END
                    $$
                    """)
                try await db.execute(
                    """
                    CREATE TRIGGER refuse_poison BEFORE UPDATE ON messages
                        FOR EACH ROW EXECUTE FUNCTION refuse_poison()
                    """)
                // 600 poison messages over 20 conversations, a minute old: more than one sweep's 500.
                let conversations = try await db.query(
                    """
                    INSERT INTO conversations (restaurant_id, customer, last_inbound_at)
                    SELECT \(restaurant.id)::uuid, 'whatsapp:+9665009' || lpad(i::text, 5, '0'), now()
                    FROM generate_series(1, 20) AS i RETURNING id::text AS id
                    """
                ).map { try $0.decode("id", as: String.self) }
                try await db.execute(
                    """
                    INSERT INTO messages (restaurant_id, conversation_id, direction, body, status, created_at)
                    SELECT \(restaurant.id)::uuid,
                        (string_to_array(\(conversations.joined(separator: ",")), ','))[1 + i % 20]::uuid,
                        'inbound', 'poison', 'received', now() - interval '1 minute' + i * interval '1 millisecond'
                    FROM generate_series(1, 600) AS i
                    """)
                // A healthy greeting, newer than every poison message.
                let healthy = try await db.query(
                    """
                    WITH c AS (
                        INSERT INTO conversations (restaurant_id, customer, last_inbound_at)
                        VALUES (\(restaurant.id)::uuid, 'whatsapp:+966500000999', now()) RETURNING id
                    )
                    INSERT INTO messages (restaurant_id, conversation_id, direction, body, status, created_at)
                    SELECT \(restaurant.id)::uuid, c.id, 'inbound', 'مرحبا', 'received', now() - interval '30 seconds'
                    FROM c RETURNING id::text AS id
                    """
                ).single().decode("id", as: String.self)
                return (conversations[0], healthy)
            }
            @Sendable func scalar(_ sql: PGQuery) async throws -> Int {
                try await app.database.withClient { try await $0.query(sql).single().decode("n", as: Int.self) }
            }
            try await eventually(timeout: .seconds(30), "the healthy message handled") {
                try await scalar(
                    "SELECT count(*)::int AS n FROM messages WHERE id = \(healthy)::uuid AND handled_at IS NOT NULL")
                    == 1
            }
            try await eventually(timeout: .seconds(30), "every poison message failed") {
                try await scalar("SELECT count(*)::int AS n FROM messages WHERE status = 'failed'") == 600
            }
            #expect(
                try await scalar(
                    """
                    SELECT count(*)::int AS n FROM messages
                    WHERE body = 'poison' AND handle_attempts = 2 AND error_code = 'unhandled'
                        AND last_error LIKE 'not handled after 2 re-drives: %poison message refused%'
                    """) == 600)
            // Fair progress: the healthy message was handled before any poison message gave up (oldest-first
            // sweeps would have re-driven the 500 oldest poison messages until they failed).
            #expect(
                try await scalar(
                    """
                    SELECT ((SELECT handled_at FROM messages WHERE id = \(healthy)::uuid)
                        < (SELECT min(handle_failed_at) FROM messages WHERE body = 'poison'))::int AS n
                    """) == 1)
            let page = try PrometheusText(sufra.metrics.render())
            #expect(page.value("sufra_inbound_unhandled_failed_total") == 600)
            // Every poison message was re-driven and failed before it was marked failed; the healthy one handled.
            #expect(page.value("sufra_inbound_redrives_total", ["outcome": "failed"]) ?? 0 >= 600)
            #expect(page.value("sufra_inbound_redrives_total", ["outcome": "handled"]) ?? 0 >= 1)

            // Staff see them, with why.
            let token = try await StaffAuth.token(restaurant.id)
            let shown = try await client.api(
                .get, "/api/conversations/\(poisonConversation)/messages", token: token
            ).items
            #expect(!shown.isEmpty)
            for message in shown {
                #expect(message["status"] as? String == "failed")
                #expect(message["errorCode"] as? String == "unhandled")
                #expect((message["lastError"] as? String)?.contains("poison message refused") == true)
            }
        }
    }
}

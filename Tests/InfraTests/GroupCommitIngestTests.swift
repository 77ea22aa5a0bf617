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

    /// Runs `body` with a migrated scratch database holding one restaurant and a writer with one flusher.
    private static func withOneFlusher(
        _ body: @Sendable (PGPool, _ restaurant: String, GroupCommitIngest) async throws -> Void
    ) async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let restaurant = try await Self.migratedRestaurant(client)
                var options = GroupCommitOptions()
                options.flushers = 1
                try await body(
                    client, restaurant,
                    GroupCommitIngest(client: client, options: options, logger: Logger(label: "test")))
            }
        }
    }

    @Test func aRowTheDatabaseRejectsFailsAloneAndItsNeighboursCommit() async throws {
        try await Self.withOneFlusher { client, restaurant, ingest in
            // A restaurant deleted under the webhook: its conversation row violates the foreign key.
            let orphan = Self.webhook(restaurant: UUID().uuidString.lowercased(), customer: "whatsapp:+2")
            let good = (0..<20).map { Self.webhook(restaurant: restaurant, customer: "whatsapp:+3\($0)") }
            await withThrowingTaskGroup(of: Void.self) { group in
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

    /// A confirming step takes its order number before it joins a batch: while another transaction holds the
    /// restaurant's counter row, a batch of one flusher still commits other webhooks.
    @Test func aConfirmationWaitingForItsOrderNumberHoldsNoOtherWebhook() async throws {
        try await Self.withOneFlusher { client, restaurant, ingest in
            let confirming = DecidedStep(
                expectedVersion: 0, state: .mainMenu, language: .en, effects: [.confirm],
                replies: [.ready(.text("Confirmed"))])
            let (release, releaser) = AsyncStream<Void>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await ingest.run() }
                let locked = try await Self.holdingRestaurantRows(client, in: &group, until: release)
                #expect(locked == 1)
                async let confirmation = ingest.ingest(
                    Self.webhook(restaurant: restaurant, customer: "whatsapp:+5"), step: confirming)
                try await Self.awaitLockWaiter(client)
                let other = try await ingest.ingest(
                    Self.webhook(restaurant: restaurant, customer: "whatsapp:+6"), step: Self.step())
                guard case .accepted(let receipt) = other else {
                    Issue.record("the other webhook was not accepted")
                    return
                }
                #expect(receipt.step?.version == 1)
                // The confirmation is still waiting for its number (not timed out and stored without it).
                #expect(try await Self.lockWaiters(client) == 1)
                releaser.yield()
                guard case .accepted(let confirmed) = try await confirmation else {
                    Issue.record("the confirmation was not accepted")
                    return
                }
                #expect(confirmed.step != nil)
                group.cancelAll()
            }
            let next = try await client.query("SELECT next_order_number FROM restaurants").single()
            #expect(try next.decode("next_order_number", as: Int.self) == 2)
        }
    }

    /// Starts a child task that locks every restaurant row against updates (not against the key checks of new
    /// conversations) in a transaction kept open until `release` yields; returns once locked, with the rows' count.
    private static func holdingRestaurantRows(
        _ client: PGPool, in group: inout ThrowingTaskGroup<Void, any Error>, until release: AsyncStream<Void>
    ) async throws -> Int {
        let (locked, lockedContinuation) = AsyncStream<Int>.makeStream()
        group.addTask {
            try await client.withConnection { connection in
                let rows = try await connection.pipeline(["BEGIN", "SELECT id FROM restaurants FOR NO KEY UPDATE"])
                lockedContinuation.yield(rows[1].count)
                for await _ in release { break }
                _ = try await connection.execute("ROLLBACK")
            }
        }
        for await count in locked { return count }
        return 0
    }

    /// This database's backends waiting for a lock.
    private static func lockWaiters(_ client: PGPool) async throws -> Int {
        try await client.query(
            """
            SELECT count(*) AS waiting FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'
            """
        ).single().decode("waiting", as: Int.self)
    }

    /// Returns once some backend waits for a lock.
    private static func awaitLockWaiter(_ client: PGPool) async throws {
        while try await lockWaiters(client) == 0 { await Task.yield() }
    }
}

import Actors
import Foundation
import HummingbirdTesting
import Logging
import SufraTestSupport
import Testing

@testable import Infra
@testable import Server

/// Send outcomes and receipts are group-committed: many in one transaction, each completion still fenced by its
/// lease.
@Suite(.serialized, .timeLimit(.minutes(3))) struct OutcomeGroupCommitTests {
    @Test func aBurstOfOutcomesCommitsInOneTransactionAndAStaleCompletionChangesNothing() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, sufra in
            let restaurant = try await client.createRestaurant()
            var ours: [String] = []
            for index in 1...4 {
                ours.append(
                    try await OutboundHarness.insertClaimed(
                        app, restaurant: restaurant.id, customer: "whatsapp:+96655000200\(index)",
                        body: "batch \(index)", owner: "worker", lease: .seconds(60)))
            }
            let stale = try await OutboundHarness.insertClaimed(
                app, restaurant: restaurant.id, customer: "whatsapp:+966550002009", body: "stale",
                owner: "other-worker", lease: .seconds(60))
            let outcomes = GroupCommitOutcomes(
                queue: OutboundQueue(client: sufra.postgres, owner: "worker"), logger: Logger(label: "test"))
            let restaurantId = restaurant.id
            let job: @Sendable (String) -> OutboundJob = { id in
                OutboundJob(
                    id: id, restaurantId: restaurantId, conversationId: "", customer: "", body: nil,
                    contentSid: nil, contentVariables: nil, attempts: 0, windowOpen: true)
            }
            let results = try await withThrowingTaskGroup(of: (String, OutboundCompletion)?.self) { group in
                for (index, id) in ours.enumerated() {
                    let decision: OutboundDecision =
                        index == 3 ? .retry(after: .seconds(5), reason: "busy") : .sent(sid: "SMbatch\(index)")
                    group.addTask { (id, try await outcomes.complete(job(id), with: decision)) }
                }
                group.addTask { (stale, try await outcomes.complete(job(stale), with: .sent(sid: "SMlate"))) }
                // Every outcome waits before the flushers start: they must all go in one transaction.
                try await eventually("all five outcomes queued") { outcomes.pendingCount == 5 }
                group.addTask {
                    try await outcomes.run()
                    return nil
                }
                var results: [String: OutboundCompletion] = [:]
                while results.count < 5, let next = try await group.next() {
                    if let (id, completion) = next { results[id] = completion }
                }
                group.cancelAll()
                return results
            }
            #expect(outcomes.committedTransactions == 1)
            #expect(results[stale] == .leaseLost)
            #expect(results[ours[0]]?.message?.status == "sent")
            #expect(results[ours[3]]?.message?.status == "queued")
            let written = ours
            let transactions = try await app.database.withClient { db in
                try await db.query(
                    """
                    SELECT count(DISTINCT xmin::text)::int AS n FROM messages
                    WHERE id = ANY(string_to_array(\(written.joined(separator: ",")), ',')::uuid[])
                    """
                ).single().decode("n", as: Int.self)
            }
            #expect(transactions == 1, "four rows written by one transaction")
            let row = try await OutboundHarness.message(app, stale)
            #expect(row.status == "sending" && row.sid == nil, "the other worker's lease is untouched")
            #expect(try await OutboundHarness.message(app, ours[1]).sid == "SMbatch1")
        }
    }

    @Test func aBatchOfReceiptsAppliesEachInArrivalOrderAndAnswersEachItsOwn() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, sufra in
            let restaurant = try await client.createRestaurant()
            var ids: [String: String] = [:]
            for (index, sid) in ["SMzz-second", "SMaa-first"].enumerated() {
                let id = try await OutboundHarness.insertClaimed(
                    app, restaurant: restaurant.id, customer: "whatsapp:+96655000300\(index)", body: "receipt \(index)",
                    owner: "worker", lease: .seconds(60))
                _ = try await app.database.withClient { db in
                    try await db.query(
                        """
                        UPDATE messages SET status = 'sent', status_rank = 2, sid = \(sid), lease_owner = NULL,
                            lease_until = NULL WHERE id = \(id)::uuid
                        """)
                }
                ids[sid] = id
            }
            let outcomes = GroupCommitOutcomes(
                queue: OutboundQueue(client: sufra.postgres, owner: "worker"), logger: Logger(label: "test"))
            // Arrival order, interleaved between the two messages: each message's receipts apply in the order
            // they came, and each answer goes to its own receipt.
            let arrivals = [
                ("SMzz-second", "delivered"), ("SMaa-first", "read"), ("SMzz-second", "read"),
                ("SMaa-first", "delivered"), ("SMunknown", "read"),
            ]
            let restaurantId = restaurant.id
            let answers = try await withThrowingTaskGroup(of: (Int, OutboundQueue.StatusUpdate?)?.self) { group in
                for (index, (sid, status)) in arrivals.enumerated() {
                    group.addTask {
                        let receipt = DeliveryReceipt(restaurantId: restaurantId, sid: sid, status: status)
                        return (index, try await outcomes.applyStatus(receipt))
                    }
                    try await eventually("receipt \(index) queued") { outcomes.pendingCount == index + 1 }
                }
                group.addTask {
                    try await outcomes.run()
                    return nil
                }
                var answers: [Int: OutboundQueue.StatusUpdate?] = [:]
                while answers.count < arrivals.count, let next = try await group.next() {
                    if let (index, update) = next { answers[index] = update }
                }
                group.cancelAll()
                return answers
            }
            #expect(outcomes.committedTransactions == 1)
            #expect(answers[0]??.applied == true && answers[0]??.message.status == "delivered")
            #expect(answers[1]??.applied == true && answers[1]??.message.status == "read")
            #expect(answers[2]??.applied == true && answers[2]??.message.status == "read")
            #expect(answers[3]??.applied == false, "delivered after read does not move the status back")
            #expect(answers[4].map { $0 == nil } == true, "no message has this sid")
            for sid in ["SMzz-second", "SMaa-first"] {
                let id = try #require(ids[sid])
                #expect(try await OutboundHarness.message(app, id).status == "read")
            }
        }
    }

    /// Receipts of different messages go in one statement, and each is answered as it alone would be: a status
    /// that moves forward, one that repeats (nothing written), a job still sending that only takes its sid, a job
    /// whose answer was lost that adopts the sid as sent, an unknown sid. Two statuses of one message (by sid, or by
    /// job) cannot share a statement.
    @Test func receiptsOfDifferentMessagesShareOneStatementAndEachIsAnsweredItsOwn() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, sufra in
            let restaurant = try await client.createRestaurant()
            let ids = try await OutboundHarness.insertClaimed(
                app, restaurant: restaurant.id, count: 4, customerPrefix: "whatsapp:+96655000500", body: "together",
                owner: "worker", lease: .seconds(60))
            try await OutboundHarness.markSent(app, Array(ids.prefix(2)), sids: ["SMt-a", "SMt-b"])
            _ = try await app.database.withClient { db in
                // The fourth: its send's answer was lost and it went back to the queue, uncertain.
                try await db.query(
                    """
                    UPDATE messages SET status = 'queued', status_rank = 0, send_uncertain = true, lease_owner = NULL,
                        lease_until = NULL WHERE id = \(ids[3])::uuid
                    """)
            }
            let restaurantId = restaurant.id
            let receipts = [
                DeliveryReceipt(restaurantId: restaurantId, sid: "SMt-a", status: "delivered"),
                DeliveryReceipt(restaurantId: restaurantId, sid: "SMt-b", status: "sent"),
                DeliveryReceipt(restaurantId: restaurantId, sid: "SMt-c", status: "sent", jobId: ids[2]),
                DeliveryReceipt(restaurantId: restaurantId, sid: "SMt-d", status: "delivered", jobId: ids[3]),
                DeliveryReceipt(restaurantId: restaurantId, sid: "SMt-unknown", status: "read"),
            ]
            #expect(OutboundQueue.canApplyTogether(receipts))
            #expect(!OutboundQueue.canApplyTogether([receipts[0], receipts[0]]), "one sid twice")
            var sameJob = receipts[3]
            sameJob.sid = "SMt-d2"
            #expect(!OutboundQueue.canApplyTogether([receipts[3], sameJob]), "one job twice")

            let writer = OutcomeBatchWriter(owner: "worker", items: receipts.map { .receipt($0) })
            let results = try await sufra.postgres.withConnection { try await writer.commit(on: $0) }
            let updates = results.map { result -> OutboundQueue.StatusUpdate? in
                guard case .receipt(let update) = result else { return nil }
                return update
            }
            #expect(updates.count == 5)
            #expect(updates[0]?.applied == true && updates[0]?.message.status == "delivered")
            #expect(updates[1]?.applied == false && updates[1]?.message.status == "sent", "repeated: not written")
            #expect(updates[2]?.applied == true && updates[2]?.message.status == "sending", "still its worker's")
            #expect(updates[2]?.message.id == ids[2] && updates[3]?.message.id == ids[3])
            #expect(updates[3]?.applied == true && updates[3]?.message.status == "delivered", "adopted")
            #expect(updates[4] == nil, "no message has this sid")
            #expect(try await OutboundHarness.message(app, ids[0]).status == "delivered")
            #expect(try await OutboundHarness.message(app, ids[2]).sid == "SMt-c")
            #expect(try await OutboundHarness.message(app, ids[2]).status == "sending")
            #expect(try await OutboundHarness.message(app, ids[3]).status == "delivered")
        }
    }

    /// A batch's receipts cost each the same whatever the batch's size: on the batch's generic plans (no hash or
    /// merge joins) no step of the statement joins one CTE to another, which is a nested loop over both. Two such
    /// joins made a batch of 128 receipts take 19.5 ms instead of 9.
    @Test func aBatchOfReceiptsJoinsNoTwoOfItsStepsPairwise() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, sufra in
            let restaurant = try await client.createRestaurant()
            let ids = try await OutboundHarness.insertClaimed(
                app, restaurant: restaurant.id, count: 6, customerPrefix: "whatsapp:+96655000600", body: "linear",
                owner: "worker", lease: .seconds(60))
            try await OutboundHarness.markSent(app, ids, sids: ids.indices.map { "SMl-\($0)" })
            let receipts = ids.indices.map {
                DeliveryReceipt(restaurantId: restaurant.id, sid: "SMl-\($0)", status: "delivered")
            }
            let query = try OutboundQueue.statusQuery(receipts)
            let plan = try await sufra.postgres.withConnection { connection in
                try await connection.pipeline(["BEGIN", .genericPlans])
                let rows = try await connection.query(
                    PGQuery(unsafeSQL: "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + query.sql, binds: query.binds))
                try await connection.simpleQuery("ROLLBACK")
                return try rows.map { try $0.decode("QUERY PLAN", as: String.self) }
            }
            #expect(plan.contains { $0.contains("Update on messages") && $0.contains("rows=6") }, "all six written")
            #expect(!plan.contains { $0.contains("Join Filter") }, "\(plan.joined(separator: "\n"))")

            let updates = try await sufra.postgres.withConnection { connection in
                try OutboundQueue.statusUpdates(receipts, from: try await connection.query(query))
            }
            #expect(updates.map { $0?.applied } == Array(repeating: true, count: 6))
            #expect(updates.map { $0?.message.status } == Array(repeating: "delivered", count: 6))
            #expect(updates.map { $0?.message.id } == ids)
        }
    }

    /// Two batches that touch the same two rows, each in the order that deadlocked before (a completion, then the
    /// receipts of the other message): both commit, neither waits out PostgreSQL's one-second deadlock check.
    @Test func batchesTouchingTheSameRowsLockThemInOneOrderAndNeverDeadlock() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, sufra in
            let restaurant = try await client.createRestaurant()
            let ids = try await OutboundHarness.insertClaimed(
                app, restaurant: restaurant.id, count: 2, customerPrefix: "whatsapp:+96655000400", body: "lock",
                owner: "worker", lease: .seconds(60)
            ).sorted()
            let (low, high) = (ids[0], ids[1])
            // Batch A's receipts (written in arrival order) take `high` first, against the ids' order.
            try await app.database.withClient { db in
                try await db.query("UPDATE messages SET sid = 'SMlock-z' WHERE id = \(low)::uuid")
                try await db.query(
                    "UPDATE messages SET sid = 'SMlock-a', status = 'sent', status_rank = 2 WHERE id = \(high)::uuid")
            }
            let restaurantId = restaurant.id
            let lowJob = OutboundJob(
                id: low, restaurantId: restaurantId, conversationId: "", customer: "", body: nil, contentSid: nil,
                contentVariables: nil, attempts: 0, windowOpen: true)
            let receipt: @Sendable (String, String) -> OutcomeBatchWriter.Item = { sid, status in
                .receipt(DeliveryReceipt(restaurantId: restaurantId, sid: sid, status: status))
            }
            // B: the completion of `low`, then a receipt of `high`. A: receipts of `high`, then of `low`.
            let batchB = OutcomeBatchWriter(
                owner: "worker", items: [.completion(lowJob, .sent(sid: "SMlock-z")), receipt("SMlock-a", "read")])
            let batchA = OutcomeBatchWriter(
                owner: "worker", items: [receipt("SMlock-a", "delivered"), receipt("SMlock-z", "delivered")])
            let postgres = sufra.postgres
            try await withThrowingTaskGroup(of: Void.self) { group in
                let holding = AsyncStream<Void>.makeStream()
                let release = AsyncStream<Void>.makeStream()
                // Another transaction holds `low`, so both batches queue behind it: B first, then A.
                group.addTask {
                    try await postgres.withConnection { connection in
                        try await connection.simpleQuery("BEGIN")
                        try await connection.query("SELECT id FROM messages WHERE id = \(low)::uuid FOR UPDATE")
                        holding.continuation.yield()
                        for await _ in release.stream { break }
                        try await connection.simpleQuery("COMMIT")
                    }
                }
                for await _ in holding.stream { break }
                group.addTask { _ = try await postgres.withConnection { try await batchB.commit(on: $0) } }
                try await eventually("batch B waits for the lock") { try await app.database.lockWaiters() == 1 }
                group.addTask { _ = try await postgres.withConnection { try await batchA.commit(on: $0) } }
                try await eventually("batch A waits too") { try await app.database.lockWaiters() == 2 }
                let released = ContinuousClock.now
                release.continuation.yield()
                try await group.waitForAll()
                #expect(ContinuousClock.now - released < .milliseconds(900), "no deadlock check was waited out")
            }
            #expect(try await OutboundHarness.message(app, low).status == "delivered")
            #expect(try await OutboundHarness.message(app, high).status == "read")
        }
    }
}

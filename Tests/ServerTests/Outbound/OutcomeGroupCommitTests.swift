import Actors
import Foundation
import HummingbirdTesting
import Infra
import Logging
import Synchronization
import Testing

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
            let recorded = Mutex<[String: OutboundCompletion]>([:])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in ours.enumerated() {
                    let decision: OutboundDecision =
                        index == 3 ? .retry(after: .seconds(5), reason: "busy") : .sent(sid: "SMbatch\(index)")
                    group.addTask {
                        let completion = try await outcomes.complete(job(id), with: decision)
                        recorded.withLock { $0[id] = completion }
                    }
                }
                group.addTask {
                    let completion = try await outcomes.complete(job(stale), with: .sent(sid: "SMlate"))
                    recorded.withLock { $0[stale] = completion }
                }
                // Every outcome waits before the flushers start: they must all go in one transaction.
                try await eventually("all five outcomes queued") { outcomes.pendingCount == 5 }
                group.addTask { try await outcomes.run() }
                try await eventually("all five recorded") { recorded.withLock { $0.count } == 5 }
                group.cancelAll()
            }
            let results = recorded.withLock { $0 }
            #expect(outcomes.committedTransactions == 1)
            #expect(results[stale] == .leaseLost)
            #expect(results[ours[0]]?.message?.status == "sent")
            #expect(results[ours[3]]?.message?.status == "queued")
            let transactions = try await app.database.withClient { db in
                try await db.query(
                    """
                    SELECT count(DISTINCT xmin::text)::int AS n FROM messages
                    WHERE id = ANY(string_to_array(\(ours.joined(separator: ",")), ',')::uuid[])
                    """
                ).single().decode("n", as: Int.self)
            }
            #expect(transactions == 1, "four rows written by one transaction")
            let row = try await OutboundHarness.message(app, stale)
            #expect(row.status == "sending" && row.sid == nil, "the other worker's lease is untouched")
            #expect(try await OutboundHarness.message(app, ours[1]).sid == "SMbatch1")
        }
    }
}

import Actors
import Foundation
import HummingbirdTesting
import Infra
import Logging
import SufraDev
import SufraTestSupport
import Testing

@testable import Server

/// Replies written born claimed by the group commit (docs/outbound.md, "Born claimed"): sent from the
/// restaurant's channel with no claim query; queued for the claim loop when the channel is full; and a process
/// that dies after the commit loses nothing and sends nothing twice.
@Suite(.serialized, .timeLimit(.minutes(3))) struct BornClaimedTests {
    /// Polls so slow that only the channel (or a wake-up) can deliver within the test.
    static func slowPolls(channelCapacity: Int = 256) -> SufraApplication.Options {
        var options = OutboundHarness.options()
        options.outbound.pollInterval = .seconds(60)
        options.outbound.sender.pollInterval = .seconds(60)
        options.outbound.sender.channelCapacity = channelCapacity
        return options
    }

    /// Whether every reply to `customer` is sent and each was leased by the transaction that stored its
    /// webhook: a born-claimed reply's `first_attempt_at` is that transaction's `now()`, the webhook row's
    /// `created_at`; a claimed one's is the claim's, later. Nil while a reply is still unsent.
    static func allSentBornClaimed(_ app: SufraTestApp, customer: String) async throws -> Bool? {
        try await app.database.withClient { db in
            let rows = try await db.query(
                """
                SELECT o.status = 'sent' AS sent, coalesce(o.first_attempt_at = i.created_at, false) AS born
                FROM messages o JOIN conversations c ON c.id = o.conversation_id
                JOIN messages i ON i.conversation_id = o.conversation_id AND i.direction = 'inbound'
                WHERE c.customer = \(customer) AND o.direction = 'outbound'
                """)
            let replies = try rows.map { (try $0.decode("sent", as: Bool.self), try $0.decode("born", as: Bool.self)) }
            guard !replies.isEmpty, replies.allSatisfy(\.0) else { return nil }
            if replies.allSatisfy(\.1) { return true }
            return replies.contains(where: \.1) ? nil : false
        }
    }

    @Test func aReplyBornClaimedIsSentWithNoClaimQuery() async throws {
        try await OutboundHarness.run(options: Self.slowPolls()) { app, client, sufra, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            // A first conversation starts the restaurant's send loop, which looks at the queue once.
            let first = "whatsapp:+966550001001"
            #expect(try await client.sendWebhook(to: restaurant, from: first, body: "hello").status == .ok)
            try await eventually("the first replies sent") {
                try await Self.allSentBornClaimed(app, customer: first) != nil
            }
            guard let loop = sufra.outbound.sender(restaurantId: restaurant.id) else {
                throw TestFailure("no send loop for the restaurant")
            }
            try await eventually("the new loop's one look at the queue") { loop.claimQueries >= 1 }
            let claims = loop.claimQueries
            let customers = (2...4).map { "whatsapp:+96655000100\($0)" }
            for customer in customers {
                #expect(try await client.sendWebhook(to: restaurant, from: customer, body: "hello").status == .ok)
            }
            for customer in customers {
                _ = try await sandbox.waitForMessages(count: 1, to: customer)
                try await eventually("all replies recorded sent") {
                    try await Self.allSentBornClaimed(app, customer: customer) != nil
                }
                let born = try await Self.allSentBornClaimed(app, customer: customer)
                #expect(born == true, "leased by the webhook's own transaction")
            }
            #expect(loop.claimQueries == claims, "three conversations' replies, no claim query")
        }
    }

    @Test func aFullChannelLeavesRepliesQueuedAndTheClaimLoopSendsThem() async throws {
        try await OutboundHarness.run(options: Self.slowPolls(channelCapacity: 0)) { app, client, _, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            let customer = "whatsapp:+966550001010"
            #expect(try await client.sendWebhook(to: restaurant, from: customer, body: "hello").status == .ok)
            _ = try await sandbox.waitForMessages(count: 1, to: customer)
            try await eventually("all replies recorded sent") {
                try await Self.allSentBornClaimed(app, customer: customer) != nil
            }
            let born = try await Self.allSentBornClaimed(app, customer: customer)
            #expect(born == false, "queued, then claimed after the commit")
        }
    }

    /// A process that committed born-claimed replies and died before sending one of them (and after Twilio
    /// accepted the other): its lease runs out, the reaper puts both back uncertain, the lookup finds the sent
    /// one, and the other is sent once.
    @Test func aCrashAfterTheCommitLosesNothingAndSendsNothingTwice() async throws {
        try await OutboundHarness.run { app, client, sufra, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            let customer = "whatsapp:+966550001020"
            let crashed = CrashedProcess()
            let ingest = GroupCommitIngest(client: sufra.postgres, handoff: crashed, logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await ingest.run() }
                defer { group.cancelAll() }
                let step = DecidedStep(
                    expectedVersion: 0, state: .mainMenu, language: nil, effects: [],
                    replies: [.ready(.text("crash one")), .ready(.text("crash two"))])
                let outcome = try await ingest.ingest(
                    InboundWebhook(
                        restaurantId: restaurant.id, messageSid: TestSid.make(), from: customer,
                        to: restaurant.number, body: "hi", profileName: nil, parameters: []),
                    step: step)
                guard case .accepted(let receipt) = outcome, let ids = receipt.step?.queuedMessageIds,
                    ids.count == 2
                else { throw TestFailure("not committed with its step: \(outcome)") }
                let held = try await app.database.withClient { db in
                    try await db.query(
                        "SELECT count(*)::int AS n FROM messages WHERE lease_owner = 'crashed' AND status = 'sending'"
                    ).single().decode("n", as: Int.self)
                }
                #expect(held == 2, "born claimed by the crashed process")
                // What the crashed process did before dying: Twilio accepted the first reply.
                let twilio = TwilioClient(http: CurlClient(), apiBase: sufra.configuration.twilioAPIBase)
                let accepted = await twilio.send(
                    account: TwilioAccount(sid: restaurant.accountSid, authToken: restaurant.authToken),
                    message: OutboundTwilioMessage(to: customer, from: restaurant.number, content: .body("crash one")))
                guard case .sent(let sid, _) = accepted else { throw TestFailure("sandbox refused: \(accepted)") }
                try await eventually("both recorded sent after the lease ran out") {
                    let first = try await OutboundHarness.message(app, ids[0]).status
                    let second = try await OutboundHarness.message(app, ids[1]).status
                    return first == "sent" && second == "sent"
                }
                #expect(try await OutboundHarness.message(app, ids[0]).sid == sid)
                #expect(sandbox.messages(to: customer).map(\.body) == ["crash one", "crash two"])
            }
        }
    }
}

/// A process that reserves room, commits replies born claimed under a short lease, and dies before sending them.
final class CrashedProcess: OutboundHandoff {
    let leaseOwner = "crashed"
    let leaseDuration: Duration = .milliseconds(300)
    let channel = OutboundChannel(capacity: 16)

    func reserve(restaurantId: String, count: Int) -> OutboundChannel? {
        channel.reserve(count) ? channel : nil
    }
}

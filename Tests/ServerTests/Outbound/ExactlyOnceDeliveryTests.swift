import Actors
import Foundation
import HummingbirdTesting
import Infra
import SufraTestSupport
import Testing

@testable import Server

/// A reply never reaches the customer twice: lost answers are settled by Twilio's Messages list or by the
/// receipt carrying the job id, leases that ran out mid-send are looked up before any resend, and completions are
/// fenced by the lease.
@Suite(.serialized) struct ExactlyOnceDeliveryTests {
    /// Twilio answers slower than the client waits.
    static func impatient() -> SufraApplication.Options {
        var options = OutboundHarness.options()
        options.twilioTimeout = .milliseconds(700)
        return options
    }

    /// Before: the timeout after the request was written meant "retry", and the customer got the reply twice (up
    /// to three times, the row ending dead). Now the job is uncertain, found in Twilio's Messages list by body and
    /// time, and recorded with Twilio's sid.
    @Test func aLostAnswerIsDeliveredOnceAndTheRowEndsSentWithTheSandboxSid() async throws {
        try await OutboundHarness.run(options: Self.impatient()) { app, client, _, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            sandbox.inject(.acceptThenLoseAnswer(milliseconds: 3_000), account: restaurant.accountSid, times: 1)
            let customer = "whatsapp:+966500000701"
            let ids = try await OutboundHarness.enqueue(
                app, restaurant: restaurant.id, customer: customer, prefix: "once", count: 2)
            try await eventually("both sent") {
                try await OutboundHarness.count(app, restaurant: restaurant.id, status: "sent") == 2
            }
            let delivered = sandbox.messages(to: customer)
            #expect(delivered.map(\.body) == ["once 1", "once 2"])
            let first = try await OutboundHarness.message(app, ids[0])
            #expect(first.sid == delivered.first?.sid)
            #expect(first.attempts == 1)
            #expect(try await OutboundHarness.message(app, ids[1]).sid == delivered.last?.sid)
        }
    }

    /// A worker that reached Twilio and died before recording (kill -9) leaves a claimed row behind. Before, the
    /// reaper put it back as plain `queued` and it went out again; now it is uncertain, and the lookup finds it.
    @Test func aLeaseThatRanOutAfterTwilioAcceptedIsNotSentAgain() async throws {
        try await OutboundHarness.run { app, client, sufra, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            let customer = "whatsapp:+966500000702"
            let id = try await OutboundHarness.insertClaimed(
                app, restaurant: restaurant.id, customer: customer, body: "reaped 1", owner: "killed-worker",
                lease: .milliseconds(300))
            // What the killed worker did before dying: Twilio accepted the message.
            let twilio = TwilioClient(http: CurlClient(), apiBase: sufra.configuration.twilioAPIBase)
            let accepted = await twilio.send(
                account: TwilioAccount(sid: restaurant.accountSid, authToken: restaurant.authToken),
                message: OutboundTwilioMessage(to: customer, from: restaurant.number, content: .body("reaped 1")))
            guard case .sent(let sid, _) = accepted else { throw TestFailure("the sandbox refused: \(accepted)") }
            try await eventually("recorded sent") { try await OutboundHarness.message(app, id).status == "sent" }
            #expect(try await OutboundHarness.message(app, id).sid == sid)
            #expect(sandbox.messages(to: customer).count == 1)
        }
    }

    /// A late result from a worker whose lease was reaped must not flip what the new owner recorded.
    @Test func aLateCompletionOfAReapedLeaseChangesNothing() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let ids = try await OutboundHarness.enqueue(
                app, restaurant: restaurant.id, customer: "whatsapp:+966500000703", prefix: "fence", count: 1)
            try await app.database.withClient { db in
                let slow = OutboundQueue(client: db, leaseDuration: .milliseconds(200), owner: "slow-worker")
                let other = OutboundQueue(client: db, owner: "other-worker")
                let claimed = try await slow.claim(restaurantId: restaurant.id, limit: 1)
                #expect(claimed.map(\.id) == ids)
                #expect(claimed.first?.uncertain == false)
                try await eventually("reaped") { try await !slow.reapExpiredLeases().isEmpty }
                let reclaimed = try await other.claim(restaurantId: restaurant.id, limit: 1)
                #expect(reclaimed.map(\.id) == ids)
                #expect(reclaimed.first?.uncertain == true)
                let recorded = try await other.complete(reclaimed[0], with: .sent(sid: "SMother"))
                #expect(recorded.message?.status == "sent")

                let late = try await slow.complete(claimed[0], with: .retry(after: .zero, reason: "timed out"))
                #expect(late == .leaseLost)
                let lateSent = try await slow.complete(claimed[0], with: .sent(sid: "SMslow"))
                #expect(lateSent == .leaseLost)
            }
            let row = try await OutboundHarness.message(app, ids[0])
            #expect(row.status == "sent" && row.sid == "SMother" && row.attempts == 1)
        }
    }

    /// An uncertain job is claimed with the sids of its conversation's other messages, which its lookup skips.
    @Test func anUncertainClaimNamesTheConversationsOtherSids() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let ids = try await OutboundHarness.enqueue(
                app, restaurant: restaurant.id, customer: "whatsapp:+966500000706", prefix: "pair", count: 2)
            try await app.database.withClient { db in
                let queue = OutboundQueue(client: db, leaseDuration: .milliseconds(200), owner: "worker")
                let first = try await queue.claim(restaurantId: restaurant.id, limit: 2)
                #expect(first.map(\.id) == [ids[0]])
                _ = try await queue.complete(first[0], with: .sent(sid: "SMfirst"))
                let second = try await queue.claim(restaurantId: restaurant.id, limit: 2)
                #expect(second.map(\.id) == [ids[1]] && second.first?.otherSids == [])
                try await eventually("reaped") { try await !queue.reapExpiredLeases().isEmpty }
                let again = try await queue.claim(restaurantId: restaurant.id, limit: 2)
                #expect(again.first?.uncertain == true)
                #expect(again.first?.otherSids == ["SMfirst"])
            }
        }
    }

    /// The receipt URL carries the job id, so a receipt settles a job whose answer was lost: a job its worker
    /// already recorded as uncertain adopts Twilio's sid and is sent, with no lookup and no resend.
    @Test func aReceiptWithTheJobIdSettlesAnUncertainJob() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let id = try await OutboundHarness.insertClaimed(
                app, restaurant: restaurant.id, customer: "whatsapp:+966500000704", body: "receipt 1",
                owner: "worker", lease: .seconds(60))
            try await app.database.withClient { db in
                let queue = OutboundQueue(client: db, owner: "worker")
                let job = OutboundJob(
                    id: id, restaurantId: restaurant.id, conversationId: "", customer: "", body: nil, contentSid: nil,
                    contentVariables: nil, attempts: 0, windowOpen: true)
                let recorded = try await queue.complete(
                    job, with: .uncertain(after: .seconds(30), reason: "timed out", attempted: true))
                #expect(recorded.message?.status == "queued")
            }
            let response = try await StatusCallbackTests.post(
                client, restaurant, sid: "SMreceipt", status: "sent", query: "?job=\(id)")
            #expect(response.status == .ok)
            let row = try await OutboundHarness.message(app, id)
            #expect(row.status == "sent" && row.sid == "SMreceipt")
            let pending = try await app.database.withClient { db in
                try await db.query(
                    """
                    SELECT (next_attempt_at IS NULL AND NOT send_uncertain AND lease_owner IS NULL)::int AS n
                    FROM messages WHERE id = \(id)::uuid
                    """
                ).single().decode("n", as: Int.self)
            }
            #expect(pending == 1)
            // Later statuses find it by sid; a second sid for the same job (a duplicate) is not adopted.
            _ = try await StatusCallbackTests.post(client, restaurant, sid: "SMreceipt", status: "delivered")
            #expect(try await OutboundHarness.message(app, id).status == "delivered")
            _ = try await StatusCallbackTests.post(
                client, restaurant, sid: "SMother", status: "sent", query: "?job=\(id)")
            #expect(try await OutboundHarness.message(app, id).sid == "SMreceipt")
        }
    }

    /// While the job's worker still waits for Twilio's answer the receipt leaves the row's status to it (its own
    /// record publishes `message.sent`) and gives the job its sid at once — no polling in the handler (it used to
    /// wait 5 × 100 ms): if the worker's answer is then lost, the next claim carries the sid and settles the job
    /// without a lookup.
    @Test func aReceiptForAJobInFlightLeavesTheSidAtOnce() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let id = try await OutboundHarness.insertClaimed(
                app, restaurant: restaurant.id, customer: "whatsapp:+966500000707", body: "inflight 1",
                owner: "worker", lease: .milliseconds(1_500))
            let started = ContinuousClock.now
            _ = try await StatusCallbackTests.post(
                client, restaurant, sid: "SMinflight", status: "sent", query: "?job=\(id)")
            #expect(ContinuousClock.now - started < .milliseconds(400), "answered without waiting for the worker")
            let held = try await OutboundHarness.message(app, id)
            #expect(held.status == "sending" && held.sid == "SMinflight")
            try await app.database.withClient { db in
                let queue = OutboundQueue(client: db, owner: "other")
                try await eventually("reaped") { try await !queue.reapExpiredLeases().isEmpty }
                let claimed = try await queue.claim(restaurantId: restaurant.id, limit: 1)
                #expect(claimed.first?.uncertain == true && claimed.first?.knownSid == "SMinflight")
            }
        }
    }

    @Test func theStatusCallbackURLCarriesTheJobId() async throws {
        try await OutboundHarness.run { app, client, _, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            let customer = "whatsapp:+966500000705"
            let ids = try await OutboundHarness.enqueue(
                app, restaurant: restaurant.id, customer: customer, prefix: "cb", count: 1)
            let received = try await sandbox.waitForMessages(count: 1, to: customer)
            #expect(received.first?.statusCallback == SufraTestApp.publicURL + "/whatsapp/status?job=" + ids[0])
        }
    }
}

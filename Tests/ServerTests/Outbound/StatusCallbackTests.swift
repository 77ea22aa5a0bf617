import Actors
import Foundation
import HummingbirdTesting
import Infra
import NIOCore
import SufraDev
import SufraTestSupport
import Testing

@testable import Server

/// `POST /whatsapp/status`: signed like the webhook, status only moves forward, ErrorCode stored.
@Suite(.serialized, .timeLimit(.minutes(3))) struct StatusCallbackTests {
    static func post(
        _ client: some TestClientProtocol, _ restaurant: TestRestaurant, sid: String, status: String,
        extra: [(String, String)] = [], token: String? = nil, query: String = ""
    ) async throws -> TestResponse {
        let parameters: [(name: String, value: String)] =
            [
                ("MessageSid", sid), ("MessageStatus", status), ("AccountSid", restaurant.accountSid),
                ("From", restaurant.number), ("To", "whatsapp:+966500000009"),
            ] + extra.map { (name: $0.0, value: $0.1) }
        let signature = TwilioSignature.compute(
            authToken: token ?? restaurant.authToken, url: SufraTestApp.publicURL + "/whatsapp/status" + query,
            parameters: parameters)
        return try await client.execute(
            uri: "/whatsapp/status" + query, method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .twilioSignature: signature],
            body: ByteBuffer(string: FormEncoding.encode(parameters)))
    }

    /// A restaurant with its sandbox account and `count` replies to one customer that the sandbox accepted (`sent`).
    static func sentReplies(
        _ app: SufraTestApp, _ client: some TestClientProtocol, _ sandbox: TwilioSandbox, prefix: String, count: Int
    ) async throws -> (TestRestaurant, [String]) {
        let restaurant = try await client.createRestaurant()
        sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
        let ids = try await OutboundHarness.enqueue(
            app, restaurant: restaurant.id, customer: "whatsapp:+966500000009", prefix: prefix, count: count)
        try await eventually("sent") { try await OutboundHarness.message(app, ids[count - 1]).status == "sent" }
        return (restaurant, ids)
    }

    @Test func statusNeverMovesBackwardsUnknownStatusIsStoredAndErrorCodeKept() async throws {
        try await OutboundHarness.run { app, client, _, sandbox in
            let (restaurant, ids) = try await Self.sentReplies(app, client, sandbox, prefix: "s", count: 2)
            guard let sid = try await OutboundHarness.message(app, ids[0]).sid,
                let second = try await OutboundHarness.message(app, ids[1]).sid
            else { throw TestFailure("no sid") }

            for status in ["delivered", "read", "delivered", "sent"] {
                let response = try await Self.post(client, restaurant, sid: sid, status: status)
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == TwiML.emptyResponse)
            }
            #expect(try await OutboundHarness.message(app, ids[0]).status == "read")
            _ = try await Self.post(client, restaurant, sid: sid, status: "partially_delivered")
            #expect(try await OutboundHarness.message(app, ids[0]).status == "partially_delivered")
            _ = try await Self.post(client, restaurant, sid: sid, status: "delivered")
            #expect(try await OutboundHarness.message(app, ids[0]).status == "partially_delivered")

            _ = try await Self.post(
                client, restaurant, sid: second, status: "undelivered",
                extra: [("ErrorCode", "63016"), ("ErrorMessage", "outside window")])
            let row = try await app.database.withClient { db in
                try await db.query("SELECT status, error_code FROM messages WHERE id = \(ids[1])::uuid").single()
            }
            #expect(try row.decode("status", as: String.self) == "undelivered")
            #expect(try row.decode("error_code", as: String?.self) == "63016")
        }
    }

    /// A receipt that changes nothing writes nothing: Twilio's `sent` after the send loop stored `sent`, or any
    /// status repeated, leaves the row version as it is (no dead tuple, no WAL, no event); a status that moves
    /// forward writes one.
    @Test func aReceiptThatChangesNothingWritesNoRowVersion() async throws {
        try await OutboundHarness.run { app, client, _, sandbox in
            let (restaurant, ids) = try await Self.sentReplies(app, client, sandbox, prefix: "v", count: 1)
            let sid = try #require(try await OutboundHarness.message(app, ids[0]).sid)
            @Sendable func rowVersion() async throws -> String {
                try await app.database.withClient { db in
                    try await db.query("SELECT xmin::text AS v FROM messages WHERE id = \(ids[0])::uuid").single()
                        .decode("v", as: String.self)
                }
            }
            let stored = try await rowVersion()
            #expect(try await Self.post(client, restaurant, sid: sid, status: "sent").status == .ok)
            #expect(try await rowVersion() == stored, "`sent` again: the row is not rewritten")
            #expect(try await Self.post(client, restaurant, sid: sid, status: "delivered").status == .ok)
            let delivered = try await rowVersion()
            #expect(delivered != stored, "a status that moves forward is written")
            #expect(try await OutboundHarness.message(app, ids[0]).status == "delivered")
            #expect(try await Self.post(client, restaurant, sid: sid, status: "delivered").status == .ok)
            #expect(try await rowVersion() == delivered, "`delivered` again: the row is not rewritten")
            _ = try await Self.post(
                client, restaurant, sid: sid, status: "delivered", extra: [("ErrorCode", "63016")])
            #expect(try await rowVersion() != delivered, "the same status with an error code is written")
        }
    }

    /// A receipt while the database hangs is answered 503 by its deadline (`WEBHOOK_DEADLINE_MS`), not after the
    /// pool's request timeout, so Twilio is never left waiting; the receipt is still written once the database
    /// answers.
    @Test func aReceiptIsAnswered503ByItsDeadlineWhileTheDatabaseHangsAndStoredAfterwards() async throws {
        try await OutboundHarness.run(
            overrides: ["WEBHOOK_DEADLINE_MS": "1500"], databaseParameters: "request_timeout=5000&statement_timeout=0"
        ) { app, client, _, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            let ids = try await OutboundHarness.enqueue(
                app, restaurant: restaurant.id, customer: "whatsapp:+966500000019", prefix: "d", count: 1)
            try await eventually("sent") { try await OutboundHarness.message(app, ids[0]).status == "sent" }
            guard let sid = try await OutboundHarness.message(app, ids[0]).sid else { throw TestFailure("no sid") }

            // Another session holds the messages table: the receipt's update waits, as on a frozen server.
            let blocker = try await PGConnection.connect(configuration: PGConfiguration(url: app.database.url))
            try await blocker.simpleQuery("BEGIN; LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
            let clock = ContinuousClock()
            let started = clock.now
            let response: TestResponse
            do {
                response = try await Self.post(client, restaurant, sid: sid, status: "delivered")
            } catch {
                try await blocker.simpleQuery("ROLLBACK")
                throw error
            }
            let waited = clock.now - started
            try await blocker.simpleQuery("ROLLBACK")
            await blocker.close()

            #expect(response.status == .serviceUnavailable)
            #expect(waited < .seconds(3), "answered after \(waited)")
            try await eventually("the receipt is written once the database answers") {
                try await OutboundHarness.message(app, ids[0]).status == "delivered"
            }
        }
    }

    @Test func badSignatureIsRefusedAndUnknownSidIsAcknowledged() async throws {
        try await OutboundHarness.run { _, client, _, _ in
            let restaurant = try await client.createRestaurant()
            let forged = try await Self.post(client, restaurant, sid: "SMunknown", status: "sent", token: "wrong")
            #expect(forged.status == .forbidden)
            let unknown = try await Self.post(
                client, restaurant, sid: "SM" + String(repeating: "0", count: 32), status: "sent")
            #expect(unknown.status == .ok)
            #expect(String(buffer: unknown.body) == TwiML.emptyResponse)
        }
    }

    /// Admitted like a webhook, by the restaurant's TenantActor with its current token: after a rotation the old
    /// token's signature is refused and the new one's receipt settles its row (in the outcomes' group commit).
    @Test func aReceiptIsCheckedWithTheCurrentTokenAndSettlesItsRow() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, sufra in
            let restaurant = try await client.createRestaurant()
            let id = try await OutboundHarness.insertClaimed(
                app, restaurant: restaurant.id, customer: "whatsapp:+966500000708", body: "rotated 1",
                owner: "worker", lease: .seconds(60))
            try await app.database.withClient { db in
                let job = OutboundJob(
                    id: id, restaurantId: restaurant.id, conversationId: "", customer: "", body: nil, contentSid: nil,
                    contentVariables: nil, attempts: 0, windowOpen: true)
                _ = try await OutboundQueue(client: db, owner: "worker").complete(
                    job, with: .uncertain(after: .seconds(30), reason: "timed out", attempted: true))
            }
            let token = UUID().uuidString
            let patched = try await OutboundHarness.admin(
                client, .patch, "/admin/restaurants/\(restaurant.id)", body: "{\"twilioAuthToken\": \"\(token)\"}")
            #expect(patched.status == .ok)
            try await eventually("the directory has the new token") {
                sufra.directory.tenant(id: restaurant.id)?.authToken == token
            }
            let old = try await Self.post(client, restaurant, sid: "SMrotated", status: "sent", query: "?job=\(id)")
            #expect(old.status == .forbidden)
            #expect(try await OutboundHarness.message(app, id).status == "queued")
            let current = try await Self.post(
                client, restaurant, sid: "SMrotated", status: "sent", token: token, query: "?job=\(id)")
            #expect(current.status == .ok)
            let row = try await OutboundHarness.message(app, id)
            #expect(row.status == "sent" && row.sid == "SMrotated")
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import Infra
import NIOCore
import SufraTestSupport
import Testing

@testable import Server

@Suite(.serialized, .timeLimit(.minutes(3))) struct WebhookTests {
    static let customer = "whatsapp:+966500000001"

    @Test func acceptsSignedMessageWithEmptyTwiMLAndStoresItOnce() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let sid = TestSid.make()
            let response = try await client.sendWebhook(
                to: restaurant, from: Self.customer, body: "مرحبا", sid: sid, extra: [("ProfileName", "Sara")])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/xml")
            #expect(
                String(buffer: response.body)
                    == #"<?xml version="1.0" encoding="UTF-8"?><Response></Response>"#)
            let again = try await client.sendWebhook(to: restaurant, from: Self.customer, body: "مرحبا", sid: sid)
            #expect(again.status == .ok)
            let counts = try await app.database.withClient { db in
                let row = try await db.query(
                    """
                    SELECT (SELECT count(*) FROM messages WHERE sid = \(sid)) AS messages,
                           (SELECT unread_count FROM conversations WHERE customer = \(Self.customer)) AS unread,
                           (SELECT profile_name FROM conversations WHERE customer = \(Self.customer)) AS profile,
                           (SELECT params->>'ProfileName' FROM messages WHERE sid = \(sid)) AS kept
                    """
                ).single()
                return (
                    try row.decode("messages", as: Int.self), try row.decode("unread", as: Int.self),
                    try row.decode("profile", as: String.self), try row.decode("kept", as: String.self)
                )
            }
            #expect(counts.0 == 1)
            #expect(counts.1 == 1)
            #expect(counts.2 == "Sara")
            #expect(counts.3 == "Sara")
        }
    }

    @Test func anAcceptedWebhooksAuditLineIsItsMessage() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let sid = TestSid.make()
            #expect(
                try await client.sendWebhook(to: restaurant, from: Self.customer, body: "first", sid: sid).status == .ok
            )
            let (own, log) = try await app.database.withClient { db in
                let own = try await db.query("SELECT count(*) AS n FROM webhook_audit WHERE message_sid = \(sid)")
                    .single().decode("n", as: Int.self)
                let log = try await db.query(
                    """
                    SELECT l.outcome, l.payload->>'Body' AS body, l.message_id = m.id AS is_message
                    FROM webhook_audit_log l JOIN messages m ON m.sid = l.message_sid
                    WHERE l.message_sid = \(sid)
                    """
                ).map {
                    "\(try $0.decode("outcome", as: String.self)) \(try $0.decode("body", as: String.self)) "
                        + "\(try $0.decode("is_message", as: Bool.self))"
                }
                return (own, log)
            }
            // The parameters are stored once, in the message; the log reads the accepted line from there.
            #expect(own == 0)
            #expect(log == ["accepted first true"])
        }
    }

    @Test func refusesUnknownNumberBadSignatureAndMalformedRequests() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let unknown = TestRestaurant(
                id: restaurant.id, number: "whatsapp:+10000000000", accountSid: restaurant.accountSid,
                authToken: restaurant.authToken)
            #expect(try await client.sendWebhook(to: unknown, from: Self.customer, body: "hi").status == .notFound)
            #expect(
                try await client.sendWebhook(to: restaurant, from: Self.customer, body: "hi", signature: "bm9wZQ==")
                    .status == .forbidden)
            let wrongToken = TestRestaurant(
                id: restaurant.id, number: restaurant.number, accountSid: restaurant.accountSid, authToken: "wrong")
            #expect(try await client.sendWebhook(to: wrongToken, from: Self.customer, body: "hi").status == .forbidden)

            let missing = try await client.execute(
                uri: "/whatsapp/webhook", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "From=x&To=\(FormEncoding.escape(restaurant.number))"))
            #expect(missing.status == .badRequest)
            let notForm = try await client.execute(
                uri: "/whatsapp/webhook", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{}"))
            #expect(notForm.status == .badRequest)
            let badUTF8 = try await client.execute(
                uri: "/whatsapp/webhook", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "MessageSid=SM1&From=a&To=b&Body=%C3%28"))
            #expect(badUTF8.status == .badRequest)
            // A correctly signed message whose body holds a NUL is refused at the edge, before anything is stored.
            let nul = try await client.sendWebhook(to: restaurant, from: Self.customer, body: "two\u{0}pizzas")
            #expect(nul.status == .badRequest)
            #expect(String(buffer: nul.body).contains("NUL character"))
            let nulCallback = try await client.execute(
                uri: "/whatsapp/status", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "MessageSid=SM1&MessageStatus=deliv%00ered"))
            #expect(nulCallback.status == .badRequest)
            let huge = try await client.execute(
                uri: "/whatsapp/webhook", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "Body=" + String(repeating: "a", count: 70 * 1024)))
            #expect(huge.status == .contentTooLarge)

            let stored = try await app.database.withClient { db in
                try await db.query("SELECT count(*) AS n FROM messages").single().decode("n", as: Int.self)
            }
            #expect(stored == 0)
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
        }
    }

    @Test func sameMessageSidTenTimesConcurrentlyIsStoredAndHandledOnce() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let sid = TestSid.make()
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await client.sendWebhook(to: restaurant, from: Self.customer, body: "hello", sid: sid)
                            .status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok })
            try await eventually("the message is handled") {
                try await app.database.withClient { db in
                    try await db.query("SELECT handled_at IS NOT NULL AS h FROM messages WHERE sid = \(sid)")
                        .single().decode("h", as: Bool.self)
                }
            }
            let counts = try await app.database.withClient { db in
                let row = try await db.query(
                    """
                    SELECT (SELECT count(*) FROM messages WHERE sid = \(sid)) AS inbound,
                           (SELECT count(*) FROM messages WHERE direction = 'outbound') AS replies,
                           (SELECT unread_count FROM conversations) AS unread
                    """
                ).single()
                return (
                    try row.decode("inbound", as: Int.self), try row.decode("replies", as: Int.self),
                    try row.decode("unread", as: Int.self)
                )
            }
            #expect(counts.0 == 1)
            #expect(counts.1 == 1, "one welcome reply")
            #expect(counts.2 == 1)
        }
    }

    @Test func customerLimitAnswers429WithRetryAfterAndAuditsThePayload() async throws {
        try await SufraTestApp.run(overrides: ["RATE_CUSTOMER_PER_MIN": "3"]) { app, client, _ in
            let restaurant = try await client.createRestaurant()
            for _ in 0..<3 {
                #expect(try await client.sendWebhook(to: restaurant, from: Self.customer, body: "1").status == .ok)
            }
            let throttled = try await client.sendWebhook(to: restaurant, from: Self.customer, body: "over")
            #expect(throttled.status == .tooManyRequests)
            let retryAfter = Int(throttled.headers[.retryAfter] ?? "") ?? 0
            #expect(retryAfter >= 1)
            // Another customer of the same restaurant is not affected.
            #expect(
                try await client.sendWebhook(to: restaurant, from: "whatsapp:+966500000002", body: "1").status == .ok)
            let audited = try await app.database.withClient { db in
                try await db.query(
                    """
                    SELECT count(*) AS n FROM webhook_audit
                    WHERE outcome = 'throttled:customer' AND payload->>'Body' = 'over'
                    """
                ).single().decode("n", as: Int.self)
            }
            #expect(audited == 1)
        }
    }

    @Test func restaurantLimitIsPerRestaurant() async throws {
        try await SufraTestApp.run { _, client, _ in
            let small = try await client.createRestaurant(extra: ["inboundPerMinute": "2"])
            let other = try await client.createRestaurant()
            for index in 0..<2 {
                #expect(
                    try await client.sendWebhook(to: small, from: "whatsapp:+9665000001\(index)", body: "1").status
                        == .ok)
            }
            #expect(
                try await client.sendWebhook(to: small, from: "whatsapp:+96650000019", body: "1").status
                    == .tooManyRequests)
            #expect(try await client.sendWebhook(to: other, from: Self.customer, body: "1").status == .ok)
        }
    }
}

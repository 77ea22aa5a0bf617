import Actors
import Foundation
import HummingbirdTesting
import Infra
import Logging
import NIOCore
import SufraTestSupport
import Testing

@testable import Server

/// The outbound path against a private Twilio sandbox: order, auth and fields, retries, dead letters, bad
/// credentials, expired leases, two senders, pause/resume and the send rate.
@Suite(.serialized, .timeLimit(.minutes(3))) struct OutboundTests {
    @Test func fullOrderRepliesArriveInOrderWithTheRestaurantsAuthAndFields() async throws {
        try await OutboundHarness.run { app, client, _, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            let customer = "whatsapp:+966512345678"
            try await BotConversationTests.converse(
                app, client, restaurant, customer: customer,
                [("مرحبا", []), ("1", []), ("2", []), ("1 x2", []), ("3", []), ("تم", []), ("1", [])])
            let expected = try await BotConversationTests.replies(app, customer: customer)
            #expect(expected.count >= 7)
            let received = try await sandbox.waitForMessages(count: expected.count, to: customer)
            #expect(received.map { $0.body ?? $0.contentSid ?? "" } == expected)
            for message in received {
                // The sandbox accepts only the registered account's Basic credentials.
                #expect(message.accountSid == restaurant.accountSid)
                #expect(message.from == restaurant.number)
                #expect(message.statusCallback?.hasPrefix(SufraTestApp.publicURL + "/whatsapp/status?job=") == true)
            }
            try await eventually("all marked sent") {
                try await OutboundHarness.count(app, restaurant: restaurant.id, status: "sent") == expected.count
            }
        }
    }

    @Test func tooManyRequestsTwiceThenCreatedIsSentOnceAfterRetryAfter() async throws {
        try await OutboundHarness.run { app, client, _, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            sandbox.inject(.tooManyRequests(retryAfterSeconds: 1), account: restaurant.accountSid, times: 2)
            let started = ContinuousClock.now
            let ids = try await OutboundHarness.enqueue(
                app, restaurant: restaurant.id, customer: "whatsapp:+966500000001", prefix: "hi", count: 1)
            try await eventually("sent") { try await OutboundHarness.message(app, ids[0]).status == "sent" }
            // Two Retry-After: 1 waits (longer than the 100 ms backoff) before the third attempt.
            #expect(ContinuousClock.now - started >= .seconds(2))
            #expect(sandbox.messages(to: "whatsapp:+966500000001").count == 1)
            #expect(sandbox.requestCount == 3)
            #expect(try await OutboundHarness.message(app, ids[0]).attempts == 3)
        }
    }

    @Test func serverErrorsDeadLetterThenAdminRetrySends() async throws {
        try await OutboundHarness.run { app, client, _, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            sandbox.inject(.serverError, account: restaurant.accountSid, times: nil)
            let customer = "whatsapp:+966500000002"
            let ids = try await OutboundHarness.enqueue(
                app, restaurant: restaurant.id, customer: customer, prefix: "x", count: 1)
            try await eventually("dead") { try await OutboundHarness.message(app, ids[0]).status == "dead" }
            #expect(sandbox.requestCount == 3)

            let list = try await OutboundHarness.admin(client, .get, "/admin/restaurants/\(restaurant.id)/dead-letters")
            #expect(list.status == .ok)
            let items = list.json["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["id"] as? String } == [ids[0]])
            #expect((items.first?["lastError"] as? String)?.contains("20500") == true)
            #expect(list.json["next"] is NSNull)

            sandbox.clearFaults(account: restaurant.accountSid)
            let retried = try await OutboundHarness.admin(client, .post, "/admin/dead-letters/\(ids[0])/retry")
            #expect(retried.status == .ok)
            #expect(retried.json["status"] as? String == "queued")
            #expect(retried.json["attempts"] as? Int == 0)
            _ = try await sandbox.waitForMessages(count: 1, to: customer)
            try await eventually("sent") { try await OutboundHarness.message(app, ids[0]).status == "sent" }
            let again = try await OutboundHarness.admin(client, .post, "/admin/dead-letters/\(ids[0])/retry")
            #expect(again.status == .notFound)
        }
    }

    @Test func badCredentialsMakeTheRestaurantInactiveAndNothingIsDroppedUntilTheTokenIsFixed() async throws {
        try await OutboundHarness.run { app, client, sufra, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: "the-real-token")
            let customer = "whatsapp:+966500000003"
            let ids = try await OutboundHarness.enqueue(
                app, restaurant: restaurant.id, customer: customer, prefix: "m", count: 3)
            try await eventually("inactive") {
                try await OutboundHarness.admin(client, .get, "/admin/restaurants/\(restaurant.id)").json["status"]
                    as? String == "inactive"
            }
            let shown = try await OutboundHarness.admin(client, .get, "/admin/restaurants/\(restaurant.id)").json
            #expect((shown["statusReason"] as? String)?.contains("20003") == true)
            for id in ids {
                let message = try await OutboundHarness.message(app, id)
                #expect(message.status == "queued" && message.attempts == 0)
            }
            #expect(try PrometheusText(sufra.metrics.render()).credentialAlertRestaurants == [restaurant.id])

            let patched = try await OutboundHarness.admin(
                client, .patch, "/admin/restaurants/\(restaurant.id)", body: #"{"twilioAuthToken": "the-real-token"}"#)
            #expect(patched.status == .ok)
            let received = try await sandbox.waitForMessages(count: 3, to: customer)
            #expect(received.map(\.body) == ["m 1", "m 2", "m 3"])
        }
    }

    /// A worker killed mid-send leaves its claim (`sending`, its lease) behind; once the lease runs out the reaper
    /// returns it to the queue and another sender sends it. Duplicate window: if the killed worker had already
    /// reached Twilio before dying, the customer gets the message twice (at least once, never lost); a live
    /// worker's lease (60 s) outlasts its Twilio call (15 s timeout), so this needs a crash or a database outage.
    @Test func anExpiredLeaseIsSentByAnotherSender() async throws {
        try await OutboundHarness.run { app, client, _, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            let customer = "whatsapp:+966500000004"
            let ids = try await OutboundHarness.enqueue(
                app, restaurant: restaurant.id, customer: customer, prefix: "lease", count: 1)
            // Made to look claimed by a worker that died: the claim SQL skips it until the lease expires.
            try await app.database.withClient { db in
                _ = try await db.execute(
                    """
                    UPDATE messages SET status = 'sending', status_rank = 1, lease_owner = 'killed-worker',
                        lease_until = now() + interval '500 milliseconds' WHERE id = \(ids[0])::uuid AND status = 'queued'
                    """)
            }
            let received = try await sandbox.waitForMessages(count: 1, to: customer)
            #expect(received.map(\.body) == ["lease 1"])
            try await eventually("sent") { try await OutboundHarness.message(app, ids[0]).status == "sent" }
        }
    }

    @Test func twoSendersOnOneQueueNeverSendTheSameMessage() async throws {
        try await OutboundHarness.run { app, client, sufra, sandbox in
            let restaurant = try await client.createRestaurant(extra: ["sendPerMinute": "60000"])
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            try await app.database.withClient { db in
                let directory = TenantDirectory()
                directory.upsert(
                    TenantConfig(
                        id: restaurant.id, name: "t", whatsappFrom: restaurant.number,
                        accountSid: restaurant.accountSid,
                        authToken: restaurant.authToken, sendPerMinute: 60000))
                let queue = OutboundQueue(client: db, owner: "second-worker")
                var settings = OutboundDispatcher.Settings()
                settings.pollInterval = .milliseconds(50)
                settings.sender.pollInterval = .milliseconds(50)
                let second = try OutboundHarness.dispatcher(
                    sufra, app: app, queue: queue, directory: directory, settings: settings,
                    logger: Logger(label: "second"))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await second.run() }
                    for index in 0..<30 {
                        try await OutboundHarness.enqueue(
                            app, restaurant: restaurant.id, customer: "whatsapp:+96655\(index)", prefix: "c\(index)",
                            count: 10)
                    }
                    _ = try await sandbox.waitForMessages(count: 300)
                    try await eventually("all sent") {
                        try await OutboundHarness.count(app, restaurant: restaurant.id, status: "sent") == 300
                    }
                    group.cancelAll()
                }
            }
            let bodies = sandbox.messages().compactMap(\.body)
            #expect(bodies.count == 300)
            #expect(Set(bodies).count == 300)
            for index in 0..<30 {
                let own = sandbox.messages(to: "whatsapp:+96655\(index)").compactMap(\.body)
                #expect(own == (1...10).map { "c\(index) \($0)" }, "customer \(index) in order")
            }
        }
    }

    @Test func pausedRestaurantSendsNothingAndResumeDrainsInOrder() async throws {
        try await OutboundHarness.run { app, client, _, sandbox in
            let restaurant = try await client.createRestaurant()
            let other = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            sandbox.registerAccount(sid: other.accountSid, authToken: other.authToken)
            #expect(
                try await OutboundHarness.admin(client, .post, "/admin/restaurants/\(restaurant.id)/pause").status
                    == .ok)
            let customer = "whatsapp:+966500000005"
            try await OutboundHarness.enqueue(app, restaurant: restaurant.id, customer: customer, prefix: "p", count: 8)
            // The other restaurant's message going out proves the sender ran polls past the paused one's queue.
            try await OutboundHarness.enqueue(
                app, restaurant: other.id, customer: "whatsapp:+966500000006", prefix: "o", count: 1)
            _ = try await sandbox.waitForMessages(count: 1, to: "whatsapp:+966500000006")
            try await Task.sleep(for: .milliseconds(300))  // a few poll cycles: a negative can only be observed
            #expect(sandbox.messages(to: customer).isEmpty)
            #expect(try await OutboundHarness.count(app, restaurant: restaurant.id, status: "queued") == 8)

            #expect(
                try await OutboundHarness.admin(client, .post, "/admin/restaurants/\(restaurant.id)/resume").status
                    == .ok)
            let received = try await sandbox.waitForMessages(count: 8, to: customer)
            #expect(received.compactMap(\.body) == (1...8).map { "p \($0)" })
        }
    }

    /// 1,200/min = 20/s with a 200-message burst: sends never run ahead of the bucket, and all of them leave.
    @Test func perRestaurantRateNeverExceedsTheBucket() async throws {
        try await OutboundHarness.run { app, client, _, sandbox in
            let restaurant = try await client.createRestaurant(extra: ["sendPerMinute": "1200"])
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            for index in 0..<40 {
                try await OutboundHarness.enqueue(
                    app, restaurant: restaurant.id, customer: "whatsapp:+96656\(index)", prefix: "r", count: 7)
            }
            _ = try await sandbox.waitForMessages(count: 280, timeout: .seconds(20))
            try await eventually("all sent") {
                try await OutboundHarness.count(app, restaurant: restaurant.id, status: "sent") == 280
            }
            let times = try await app.database.withClient { db in
                try await db.query(
                    """
                    SELECT extract(epoch FROM sent_at)::float8 AS t FROM messages
                    WHERE restaurant_id = \(restaurant.id)::uuid AND direction = 'outbound' ORDER BY sent_at
                    """
                ).map { try $0.decode("t", as: Double.self) }
            }
            // The bucket's promise, checked at every send: by time t after the first send, at most
            // burst + rate·t messages left (three messages of slack: sent_at is stamped when each send completes). Sending slower than that is
            // the machine; sending faster would be a broken limiter.
            let first = times[0]
            for (index, time) in times.enumerated() {
                let allowed = 200 + 20 * (time - first) + 3
                #expect(Double(index + 1) <= allowed, "message \(index + 1) sent \(time - first)s after the first")
            }
            // And the limiter does not starve it: the 80 after the burst need ~4 s at 20/s.
            #expect(times[times.count - 1] - first < 15)
        }
    }
}

import Actors
import Foundation
import HummingbirdTesting
import Infra
import SufraTestSupport
import Testing

@testable import Server

/// A 401 deactivates a restaurant only when the failing send used the token that is still current.
@Suite(.serialized) struct CredentialsVersionTests {
    static func versions(_ app: SufraTestApp, _ id: String) async throws -> (revision: Int64, credentials: Int64) {
        try await app.database.withClient { db in
            let row = try await db.query(
                "SELECT revision, credentials_version FROM restaurants WHERE id = \(id)::uuid"
            ).single()
            return (try row.decode("revision", as: Int64.self), try row.decode("credentials_version", as: Int64.self))
        }
    }

    @Test func onlyATokenChangeBumpsTheCredentialsVersion() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, sufra in
            let restaurant = try await client.createRestaurant()
            let created = try await Self.versions(app, restaurant.id)
            let renamed = try await OutboundHarness.admin(
                client, .patch, "/admin/restaurants/\(restaurant.id)", body: #"{"name": "renamed"}"#)
            #expect(renamed.status == .ok)
            let afterRename = try await Self.versions(app, restaurant.id)
            #expect(afterRename.revision > created.revision && afterRename.credentials == created.credentials)
            _ = try await OutboundHarness.admin(
                client, .patch, "/admin/restaurants/\(restaurant.id)", body: #"{"twilioAuthToken": "rotated"}"#)
            let afterRotation = try await Self.versions(app, restaurant.id)
            #expect(afterRotation.credentials == created.credentials + 1)
            // The directory follows, newest revision included.
            try await eventually("directory has the rotation") {
                sufra.directory.tenant(id: restaurant.id)?.credentialsVersion == afterRotation.credentials
            }
            #expect(sufra.directory.tenant(id: restaurant.id)?.authToken == "rotated")
            #expect(sufra.directory.tenant(id: restaurant.id)?.revision == afterRotation.revision)
        }
    }

    @Test func aRejectionOfARotatedTokenLeavesTheRestaurantActive() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let old = try await Self.versions(app, restaurant.id).credentials
            // Sends leave with the old token; meanwhile the operator rotates it.
            let ids = try await OutboundHarness.enqueue(
                app, restaurant: restaurant.id, customer: "whatsapp:+966500000801", prefix: "v", count: 1)
            let other = try await OutboundHarness.enqueue(
                app, restaurant: restaurant.id, customer: "whatsapp:+966500000802", prefix: "w", count: 1)
            try await app.database.withClient { db in
                let queue = OutboundQueue(client: db, owner: "worker")
                let jobs = try await queue.claim(restaurantId: restaurant.id, limit: 2)
                #expect(Set(jobs.map(\.id)) == Set(ids + other))
                _ = try await OutboundHarness.admin(
                    client, .patch, "/admin/restaurants/\(restaurant.id)", body: #"{"twilioAuthToken": "new"}"#)
                let current = try await Self.versions(app, restaurant.id).credentials
                #expect(current == old + 1)

                let stale = try await queue.complete(
                    jobs[0], with: .credentialsRejected(reason: "Twilio rejected (20003)", credentialsVersion: old))
                #expect(!stale.deactivatedRestaurant)
                #expect(stale.message?.status == "queued" && stale.message?.attempts == 0)
                let shown = try await OutboundHarness.admin(client, .get, "/admin/restaurants/\(restaurant.id)")
                #expect(shown.json["status"] as? String == "active")

                let fresh = try await queue.complete(
                    jobs[1], with: .credentialsRejected(reason: "Twilio rejected (20003)", credentialsVersion: current))
                #expect(fresh.deactivatedRestaurant)
                let after = try await OutboundHarness.admin(client, .get, "/admin/restaurants/\(restaurant.id)")
                #expect(after.json["status"] as? String == "inactive")
            }
        }
    }

    /// End to end: a send leaves with the old token, the operator rotates it while Twilio is answering, and
    /// Twilio's 401 for the old token arrives after the rotation. Before, the restaurant went inactive although its
    /// new token was right; now the reply goes out with the new token and the restaurant stays active.
    @Test func aLate401ForTheOldTokenDoesNotDeactivateTheRestaurant() async throws {
        try await OutboundHarness.run { app, client, sufra, sandbox in
            let restaurant = try await client.createRestaurant()
            // Twilio already knows only the new token; the old one's call is answered late (with 401).
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: "the-new-token")
            sandbox.inject(.slow(milliseconds: 1_000), account: restaurant.accountSid, times: 1)
            let customer = "whatsapp:+966500000803"
            try await OutboundHarness.enqueue(app, restaurant: restaurant.id, customer: customer, prefix: "r", count: 1)
            try await eventually("the old token's call is in flight") { sandbox.requestCount == 1 }
            let patched = try await OutboundHarness.admin(
                client, .patch, "/admin/restaurants/\(restaurant.id)", body: #"{"twilioAuthToken": "the-new-token"}"#)
            #expect(patched.status == .ok)
            let received = try await sandbox.waitForMessages(count: 1, to: customer, timeout: .seconds(10))
            #expect(received.map(\.body) == ["r 1"])
            let shown = try await OutboundHarness.admin(client, .get, "/admin/restaurants/\(restaurant.id)")
            #expect(shown.json["status"] as? String == "active")
            #expect(try PrometheusText(sufra.metrics.render()).credentialAlertRestaurants.isEmpty)
        }
    }
}

import Foundation
import HummingbirdTesting
import Infra
import Testing

@testable import Server

/// Each restaurant's TenantActor leases inbound tokens from the shared Redis buckets in slices, so most
/// webhooks cost no Redis round trip, while the limits still hold.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TenantAdmissionTests {
    @Test func tokensAreLeasedFromRedisInSlicesNotOnePerWebhook() async throws {
        var options = SufraApplication.Options.forTests
        options.redisKeyPrefix = "t:" + UUID().uuidString.prefix(8) + ":"
        let prefix = options.redisKeyPrefix
        try await SufraTestApp.run(overrides: ["RATE_CUSTOMER_PER_MIN": "1000"], options: options) { _, client, sufra in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966540000001"
            for text in ["hi", "1", "2"] {
                #expect(try await client.sendWebhook(to: restaurant, from: customer, body: text).status == .ok)
            }
            // One slice of a tenth of the limit (100 of 1000) was leased for all three webhooks.
            let key = "\(prefix)rl:{\(restaurant.id)}:c:\(customer)"
            let tokens = try #require(Double(try await sufra.redis.send(["HGET", key, "t"]).string ?? ""))
            #expect(tokens >= 900 && tokens < 902)
        }
    }

    @Test func aThrottledCustomerIsRememberedWithoutAskingRedisAgain() async throws {
        var options = SufraApplication.Options.forTests
        options.redisKeyPrefix = "t:" + UUID().uuidString.prefix(8) + ":"
        let prefix = options.redisKeyPrefix
        try await SufraTestApp.run(overrides: ["RATE_CUSTOMER_PER_MIN": "2"], options: options) { _, client, sufra in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966540000002"
            for _ in 0..<2 {
                #expect(try await client.sendWebhook(to: restaurant, from: customer, body: "1").status == .ok)
            }
            #expect(try await client.sendWebhook(to: restaurant, from: customer, body: "1").status == .tooManyRequests)
            // Refill the shared bucket behind the process's back: the remembered denial still answers 429 until
            // its Retry-After has passed (a flood costs no round trip per webhook).
            let key = "\(prefix)rl:{\(restaurant.id)}:c:\(customer)"
            _ = try await sufra.redis.send(["DEL", key])
            let again = try await client.sendWebhook(to: restaurant, from: customer, body: "1")
            #expect(again.status == .tooManyRequests)
            #expect(Int(again.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(try await sufra.redis.send(["EXISTS", key]).int == 0)
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SufraTestSupport
import Testing

@testable import Server

@Suite(.serialized, .timeLimit(.minutes(3))) struct HealthMetricsTests {
    static func json(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:]
    }

    @Test func healthIsOkAndMetricsCountWebhooksAndBotReplies() async throws {
        try await SufraTestApp.run { _, client, _ in
            let restaurant = try await client.createRestaurant()
            #expect(
                try await client.sendWebhook(to: restaurant, from: "whatsapp:+966577777777", body: "hi").status == .ok)
            _ = try await client.sendWebhook(
                to: restaurant, from: "whatsapp:+966577777777", body: "x", signature: "bad")
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            let body = try Self.json(health)
            #expect(body["status"] as? String == "ok")
            #expect(body["postgres"] as? String == "ok")
            #expect(body["redis"] as? String == "ok")
            #expect(body["uptimeSeconds"] is Int)
            #expect(body["queueDepth"] is Int)
            #expect(body["deadLetters"] as? Int == 0)
            try await eventually("the bot reply is timed") {
                let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                return text.contains("sufra_bot_reply_duration_seconds_count 1")
            }
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: metrics.body)
            #expect(text.contains("sufra_webhooks_received_total 2"))
            #expect(text.contains("sufra_webhooks_processed_total 1"))
            #expect(text.contains("sufra_webhooks_failed_total{reason=\"bad_signature\"} 1"))
            #expect(text.contains("sufra_messages_received_total 1"))
            #expect(text.contains("# TYPE sufra_webhook_duration_seconds histogram"))
            #expect(text.contains("sufra_uptime_seconds"))
            #expect(
                text.contains("# TYPE sufra_bot_states_unreadable_total counter\nsufra_bot_states_unreadable_total 0"))
            #expect(text.contains("# TYPE sufra_restaurants_unroutable gauge\nsufra_restaurants_unroutable 0.0"))
        }
    }

    @Test func healthNamesTheFailingPartWhenRedisIsDown() async throws {
        try await SufraTestApp.run(overrides: ["REDIS_URL": "redis://127.0.0.1:1/0"]) { _, client, _ in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .serviceUnavailable)
            let body = try Self.json(health)
            #expect(body["status"] as? String == "degraded")
            #expect((body["redis"] as? String)?.hasPrefix("down: ") == true)
            #expect(body["postgres"] as? String == "ok")
        }
    }

    @Test func databaseDownAnswers503NotAHalfWrite() async throws {
        let database = try await TestDatabase.create()
        do {
            try await Self.runAgainstDownDatabase(database)
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    static func runAgainstDownDatabase(_ database: TestDatabase) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = try SufraTestApp.configuration(database: database)
        configuration.databaseURL = "postgres://sufra@127.0.0.1:1/none"
        let app = try SufraApplication(configuration: configuration, options: .forTests, logger: logger)
        try await app.application().test(.live) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .serviceUnavailable)
            #expect((try Self.json(health)["postgres"] as? String)?.hasPrefix("down: ") == true)
            let webhook = try await client.execute(
                uri: "/whatsapp/webhook", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "MessageSid=SM1&From=whatsapp%3A%2B1&To=whatsapp%3A%2B2&Body=hi"))
            #expect(webhook.status == .serviceUnavailable)
        }
    }
}

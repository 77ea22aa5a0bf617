import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SufraTestSupport
import Testing

@testable import Server

/// `/metrics` after a whole order flow (webhooks in, bot replies sent through the sandbox): the page parses as
/// Prometheus text, shows the operators' series (docs/metrics.md), keeps the existing histograms' buckets, names
/// no restaurant or phone number on a per-message series, and belongs to this application instance alone.
@Suite(.serialized, .timeLimit(.minutes(3))) struct MetricsExportTests {
    /// Series that exist once an order flow ran with the sender in this process.
    static let flowSeries = [
        "sufra_webhooks_received_total", "sufra_webhooks_processed_total", "sufra_messages_received_total",
        "sufra_messages_sent_total", "sufra_messages_failed_total", "sufra_outbound_queue_depth", "sufra_dead_letters",
        "sufra_uptime_seconds", "sufra_bot_states_unreadable_total", "sufra_restaurants_unroutable",
        "sufra_inbound_unhandled_failed_total", "sufra_webhook_duration_seconds_count",
        "sufra_bot_reply_duration_seconds_count",
        // What operators need (issue: metrics through swift-metrics).
        "sufra_pg_pool_connections_in_use", "sufra_pg_pool_waiters", "sufra_pg_pool_acquire_duration_seconds_count",
        "sufra_pg_pool_acquire_failures_total", "sufra_group_commit_batch_size_count",
        "sufra_group_commit_duration_seconds_count", "sufra_redis_command_duration_seconds_count",
        "sufra_registry_live_entities", "sufra_registry_activations_total", "sufra_registry_passivations_total",
        "sufra_registry_mailbox_depth_count", "sufra_outbound_in_flight", "sufra_websocket_connections",
        "sufra_websocket_subscriptions", "sufra_websocket_slow_dropped_total", "sufra_inbound_redrives_total",
        "sufra_live_events_dropped_total", "sufra_http_request_duration_seconds_count",
    ]

    /// The order of BotConversationTests' Arabic pickup order.
    static let order =
        [("مرحبا", []), ("1", []), ("2", []), ("1 x2", []), ("3", []), ("تم", []), ("1", [])]
        as [(String, [(String, String)])]

    static func scrape(_ client: some TestClientProtocol) async throws -> PrometheusText {
        let response = try await client.execute(uri: "/metrics", method: .get)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
        return try PrometheusText(String(buffer: response.body))
    }

    @Test func orderFlowShowsEverySeriesWithBoundedLabels() async throws {
        try await OutboundHarness.run { app, client, sufra, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            let customer = "whatsapp:+966512345678"
            try await BotConversationTests.converse(app, client, restaurant, customer: customer, Self.order)
            let replies = try await BotConversationTests.replies(app, customer: customer).count
            #expect(replies > 0)
            try await eventually("the bot's replies sent through the sandbox") {
                try await Self.scrape(client).value("sufra_messages_sent_total") == Double(replies)
            }
            let page = try await Self.scrape(client)
            for name in Self.flowSeries {
                #expect(!page.values(name).isEmpty, "\(name) is not on /metrics")
            }
            #expect(page.value("sufra_webhooks_received_total") == Double(Self.order.count))
            // Each webhook also timed at its connection, under its route; the admin and metrics calls as "other".
            #expect(
                page.value("sufra_http_request_duration_seconds_count", ["route": "webhook"])
                    == Double(Self.order.count))
            #expect(page.value("sufra_http_request_duration_seconds_count", ["route": "other"]) ?? 0 >= 1)
            #expect(page.value("sufra_registry_activations_total", ["registry": "conversations"]) ?? 0 >= 1)
            #expect(page.value("sufra_registry_live_entities", ["registry": "conversations"]) ?? 0 >= 1)
            #expect(page.value("sufra_group_commit_batch_size_count") ?? 0 >= Double(Self.order.count))
            #expect(page.value("sufra_group_commit_duration_seconds_count") ?? 0 >= 1)
            // Every message of the flow had its step: every batch went in one round trip.
            #expect(
                page.value("sufra_group_commit_batches_total", ["path": "one_round_trip"])
                    == page.value("sufra_group_commit_batch_size_count"))
            #expect(page.value("sufra_pg_pool_acquire_duration_seconds_count") ?? 0 >= 1)
            #expect(page.values("sufra_redis_command_duration_seconds_count").contains { $0.value >= 1 })
            #expect(page.value("sufra_registry_mailbox_depth_count", ["registry": "conversations"]) ?? 0 >= 1)
            #expect(
                Set(page.values("sufra_outbound_in_flight").compactMap { $0.labels["state"] })
                    == ["looking_up", "sending", "recording"])
            // The histograms that existed before keep their buckets (the alert rules read le="10.0").
            let bounds = [
                "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5",
                "5.0", "10.0", "+Inf",
            ]
            for histogram in ["sufra_webhook_duration_seconds", "sufra_bot_reply_duration_seconds"] {
                #expect(page.values(histogram + "_bucket").compactMap { $0.labels["le"] } == bounds, "\(histogram)")
            }
            // Bounded labels: no restaurant, number or customer on any series but the per-restaurant alert.
            let identifiers = [restaurant.id, restaurant.number, restaurant.accountSid, customer, "966512345678"]
            for sample in page.samples where sample.name != "sufra_credential_alerts_total" {
                for (label, value) in sample.labels {
                    #expect(!identifiers.contains { value.contains($0) }, "\(sample.name){\(label)=\(value)}")
                    #expect(!value.contains(/\d{6,}/), "a phone-like value in \(sample.name){\(label)=\(value)}")
                    #expect(UUID(uuidString: value) == nil, "an id in \(sample.name){\(label)=\(value)}")
                }
            }
            // Another instance in the same process has its own registry: this flow is not in its numbers.
            var logger = Logger(label: "other")
            logger.logLevel = .critical
            let other = try SufraApplication(
                configuration: try SufraTestApp.configuration(database: app.database), options: .forTests,
                logger: logger)
            let otherPage = try PrometheusText(other.metrics.render())
            #expect(otherPage.value("sufra_webhooks_received_total") == 0)
            #expect(otherPage.value("sufra_group_commit_batch_size_count") == 0)
            #expect(sufra.metrics.registry !== other.metrics.registry)
        }
    }
}

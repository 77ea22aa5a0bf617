import Actors
import Infra
import Runtime

/// Every series Sufra exports on `/metrics`, with its help text and, for histograms, its buckets (docs/metrics.md
/// lists the same, with labels). The layers name their series (``OutboundMetrics/sent`` …) and record through
/// swift-metrics; this catalog only describes them to Prometheus.
enum MetricCatalog {
    /// Latency buckets in seconds, 0.5 ms to 10 s (every duration histogram; the alert rules read `le="10.0"`).
    static let latencyBounds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// Count buckets, 1 to 256 (batch sizes, mailbox depths).
    static let countBounds: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    /// The webhook edge's series (recorded by the Server).
    enum Webhook {
        static let received = "sufra_webhooks_received_total"
        static let processed = "sufra_webhooks_processed_total"
        static let duplicate = "sufra_webhooks_duplicate_total"
        static let failed = "sufra_webhooks_failed_total"
        static let messagesReceived = "sufra_messages_received_total"
        static let duration = "sufra_webhook_duration_seconds"
    }

    /// The HTTP edge's series (recorded on each connection's event loop).
    enum HTTP {
        static let requestDuration = "sufra_http_request_duration_seconds"
    }

    /// Series read when scraped (from PostgreSQL, or the clock).
    enum Scraped {
        static let queueDepth = "sufra_outbound_queue_depth"
        static let deadLetters = "sufra_dead_letters"
        static let uptime = "sufra_uptime_seconds"
    }

    /// Help texts by series name.
    static let help: [String: String] = [
        Webhook.received: "Webhooks received.",
        Webhook.processed: "Webhooks accepted and stored.",
        Webhook.duplicate: "Webhooks answered as already accepted.",
        Webhook.failed: "Webhooks refused, by reason.",
        Webhook.messagesReceived: "Inbound messages stored.",
        Webhook.duration: "Webhook handling time.",
        HTTP.requestDuration:
            "Request time at the connection, head decoded to response end written, by route (webhook, status, other).",
        OutboundMetrics.sent: "Outbound messages accepted by Twilio.",
        OutboundMetrics.failed: "Outbound messages failed or dead-lettered.",
        OutboundMetrics.credentialAlerts: "Restaurants deactivated for bad Twilio credentials.",
        OutboundMetrics.inFlight: "Outbound jobs in flight in this process, by state.",
        SweeperMetrics.failed: "Inbound messages marked failed after every re-drive failed.",
        SweeperMetrics.redrives: "Re-drives of unhandled inbound messages, by outcome.",
        BotMetrics.replyDuration: "Inbound message to queued bot reply.",
        PostgresConversationStore.unreadableMetric:
            "Conversations whose stored bot state could not be read (restarted from the initial state).",
        TenantDirectorySync.unroutableMetric: "Restaurants not routed: their status is unknown to this version.",
        Scraped.queueDepth: "Outbound messages queued or sending.",
        Scraped.deadLetters: "Outbound messages dead-lettered.",
        Scraped.uptime: "Seconds since start.",
        PGPoolMetrics.inUse: "PostgreSQL pool connections leased now.",
        PGPoolMetrics.waiters: "Callers waiting for a PostgreSQL pool connection now.",
        PGPoolMetrics.acquireDuration: "Time to lease a PostgreSQL pool connection.",
        PGPoolMetrics.acquireFailures: "PostgreSQL pool leases that failed.",
        IngestMetrics.batchSize: "Entries per group-commit transaction.",
        IngestMetrics.commitDuration: "Group-commit transaction time, lease to COMMIT.",
        IngestMetrics.batches: "Committed group-commit transactions by path (one_round_trip or careful).",
        RedisMetrics.commandDuration: "Redis command round trip, by command.",
        RedisMetrics.errors: "Failed Redis commands, by kind.",
        RegistryMetrics.liveEntities: "Live actors (active or passivating), by registry.",
        RegistryMetrics.activations: "Actors activated, by registry.",
        RegistryMetrics.passivations: "Actors passivated, by registry and reason.",
        RegistryMetrics.mailboxDepth: "Messages queued for an actor when it takes its next batch, by registry.",
        LiveEventHub.socketsMetric: "Dashboard WebSockets connected to this process.",
        LiveEventHub.subscriptionsMetric: "Restaurants with a live-events subscription in this process.",
        LiveEventHub.droppedMetric: "Dashboard WebSockets dropped for being too slow.",
        LiveEventHub.refusedMetric: "Dashboard WebSockets refused at a limit (closed with 1013), by reason.",
        RedisLiveEvents.droppedMetric: "Live events not published because Redis did not keep up (oldest first).",
    ]

    /// Buckets of the histograms that record counts (recorders); timers all use ``latencyBounds``.
    static let valueBuckets: [String: [Double]] = [
        IngestMetrics.batchSize: countBounds,
        RegistryMetrics.mailboxDepth: countBounds,
    ]
}

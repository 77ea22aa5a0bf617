import Synchronization

/// Every metric Sufra exports on `/metrics` (docs/http-api.md), rendered in the Prometheus text format.
/// Gauges that live in the database (queue depth, dead letters) are read when scraped.
public final class SufraMetrics: Sendable {
    let webhooksReceived = Counter()
    let webhooksProcessed = Counter()
    let webhooksDuplicate = Counter()
    let webhookFailures = LabeledCounter()
    let messagesReceived = Counter()
    let messagesSent = Counter()
    let messagesFailed = Counter()
    let credentialAlerts = LabeledCounter()
    let inboundUnhandledFailed = Counter()
    let webhookDuration = Histogram()
    let botReplyDuration = Histogram()
    private let started = ContinuousClock.now
    private let readings = Mutex<[Reading]>([])

    /// A count or level owned by another layer, read when scraped.
    private struct Reading: Sendable {
        var name: String
        var help: String
        var type: String
        var read: @Sendable () -> Int
    }

    /// Creates an empty set of metrics.
    public init() {}

    func webhooksFailed(reason: String) {
        webhookFailures.increment(reason)
    }

    /// Exports `read()` as the counter `sufra_<name>` (a count kept by another layer, read when scraped).
    func observe(counter name: String, help: String, _ read: @escaping @Sendable () -> Int) {
        readings.withLock { $0.append(Reading(name: name, help: help, type: "counter", read: read)) }
    }

    /// Exports `read()` as the gauge `sufra_<name>` (a level kept by another layer, read when scraped).
    func observe(gauge name: String, help: String, _ read: @escaping @Sendable () -> Int) {
        readings.withLock { $0.append(Reading(name: name, help: help, type: "gauge", read: read)) }
    }

    /// The exposition text. `gauges` are values read at scrape time (name without prefix → value).
    func render(gauges: [(name: String, help: String, value: Int)]) -> String {
        var out = ""
        func counter(_ name: String, _ help: String, _ value: Int) {
            out += "# HELP sufra_\(name) \(help)\n# TYPE sufra_\(name) counter\nsufra_\(name) \(value)\n"
        }
        func gauge(_ name: String, _ help: String, _ value: Double) {
            out += "# HELP sufra_\(name) \(help)\n# TYPE sufra_\(name) gauge\nsufra_\(name) \(value)\n"
        }
        func histogram(_ name: String, _ help: String, _ histogram: Histogram) {
            let snapshot = histogram.snapshot
            out += "# HELP sufra_\(name) \(help)\n# TYPE sufra_\(name) histogram\n"
            for (bound, count) in zip(histogram.bounds, snapshot.cumulative) {
                out += "sufra_\(name)_bucket{le=\"\(bound)\"} \(count)\n"
            }
            out += "sufra_\(name)_bucket{le=\"+Inf\"} \(snapshot.count)\n"
            out += "sufra_\(name)_sum \(snapshot.sum)\nsufra_\(name)_count \(snapshot.count)\n"
        }
        counter("webhooks_received_total", "Webhooks received.", webhooksReceived.current)
        counter("webhooks_processed_total", "Webhooks accepted and stored.", webhooksProcessed.current)
        counter("webhooks_duplicate_total", "Webhooks answered as already accepted.", webhooksDuplicate.current)
        out += "# HELP sufra_webhooks_failed_total Webhooks refused, by reason.\n"
        out += "# TYPE sufra_webhooks_failed_total counter\n"
        for (label, value) in webhookFailures.snapshot {
            out += "sufra_webhooks_failed_total{reason=\"\(label)\"} \(value)\n"
        }
        counter("messages_received_total", "Inbound messages stored.", messagesReceived.current)
        counter("messages_sent_total", "Outbound messages accepted by Twilio.", messagesSent.current)
        counter("messages_failed_total", "Outbound messages failed or dead-lettered.", messagesFailed.current)
        out += "# HELP sufra_credential_alerts_total Restaurants deactivated for bad Twilio credentials.\n"
        out += "# TYPE sufra_credential_alerts_total counter\n"
        for (label, value) in credentialAlerts.snapshot {
            out += "sufra_credential_alerts_total{restaurant=\"\(label)\"} \(value)\n"
        }
        counter(
            "inbound_unhandled_failed_total", "Inbound messages marked failed after every re-drive failed.",
            inboundUnhandledFailed.current)
        for entry in gauges { gauge(entry.name, entry.help, Double(entry.value)) }
        for reading in readings.withLock({ $0 }) {
            out += "# HELP sufra_\(reading.name) \(reading.help)\n# TYPE sufra_\(reading.name) \(reading.type)\n"
            out += "sufra_\(reading.name) \(reading.read())\n"
        }
        histogram("webhook_duration_seconds", "Webhook handling time.", webhookDuration)
        histogram("bot_reply_duration_seconds", "Inbound message to queued bot reply.", botReplyDuration)
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        gauge("uptime_seconds", "Seconds since start.", Double(seconds) + Double(attoseconds) / 1e18)
        return out
    }
}

import Actors
import Infra
import Metrics
import Prometheus
import Runtime

/// One application instance's metrics (docs/metrics.md): its own Prometheus registry and the swift-metrics
/// ``factory`` that every layer records through (handed down by ``SufraApplication``, never the process-global
/// `MetricsSystem`), so several instances in one process each count their own. `GET /metrics` renders the registry.
public final class SufraMetrics: Sendable {
    /// Where every series of this instance lives.
    public let registry: PrometheusCollectorRegistry
    /// The factory the layers record through (``SufraMetricsFactory`` over ``registry``).
    public let factory: any MetricsFactory
    let webhooksReceived: Metrics.Counter
    let webhooksProcessed: Metrics.Counter
    let webhooksDuplicate: Metrics.Counter
    let messagesReceived: Metrics.Counter
    let webhookDuration: Metrics.Timer
    /// Every request's time at its connection, by route (``RequestLatencyHandler``).
    let requestLatency: RequestLatencyMetrics
    let queueDepth: Metrics.Meter
    let deadLetters: Metrics.Meter
    private let uptime: Metrics.Meter
    private let started = ContinuousClock.now

    /// An empty registry and its factory.
    public init() {
        registry = PrometheusCollectorRegistry()
        let factory = SufraMetricsFactory(
            registry: registry, help: MetricCatalog.help, latencyBounds: MetricCatalog.latencyBounds,
            valueBuckets: MetricCatalog.valueBuckets)
        self.factory = factory
        webhooksReceived = Metrics.Counter(label: MetricCatalog.Webhook.received, factory: factory)
        webhooksProcessed = Metrics.Counter(label: MetricCatalog.Webhook.processed, factory: factory)
        webhooksDuplicate = Metrics.Counter(label: MetricCatalog.Webhook.duplicate, factory: factory)
        messagesReceived = Metrics.Counter(label: MetricCatalog.Webhook.messagesReceived, factory: factory)
        webhookDuration = Metrics.Timer(label: MetricCatalog.Webhook.duration, factory: factory)
        requestLatency = RequestLatencyMetrics(factory: factory)
        queueDepth = Metrics.Meter(label: MetricCatalog.Scraped.queueDepth, factory: factory)
        deadLetters = Metrics.Meter(label: MetricCatalog.Scraped.deadLetters, factory: factory)
        uptime = Metrics.Meter(label: MetricCatalog.Scraped.uptime, factory: factory)
    }

    /// Counts a refused webhook under `reason` (a fixed set: docs/metrics.md).
    func webhooksFailed(reason: String) {
        Metrics.Counter(label: MetricCatalog.Webhook.failed, dimensions: [("reason", reason)], factory: factory)
            .increment()
    }

    /// The Prometheus text exposition of every series (the uptime gauge is read now).
    public func render() -> String {
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        uptime.set(Double(seconds) + Double(attoseconds) / 1e18)
        return registry.emitToString()
    }
}

import Metrics
import Prometheus

/// The `MetricsFactory` every layer of one application instance records through: swift-prometheus'
/// ``PrometheusMetricsFactory`` over the instance's own registry (its buckets, its `destroy…`), with each series'
/// help text from the ``MetricCatalog`` so the exposition carries `# HELP` lines.
struct SufraMetricsFactory: MetricsFactory {
    let prometheus: PrometheusMetricsFactory
    let help: [String: String]

    /// A factory over `registry`: durations in `latencyBounds` (seconds), recorded values in `valueBuckets`.
    init(
        registry: PrometheusCollectorRegistry, help: [String: String], latencyBounds: [Double],
        valueBuckets: [String: [Double]]
    ) {
        var prometheus = PrometheusMetricsFactory(registry: registry)
        prometheus.defaultDurationHistogramBuckets = latencyBounds.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }
        prometheus.valueHistogramBuckets = valueBuckets
        self.prometheus = prometheus
        self.help = help
    }

    private var registry: PrometheusCollectorRegistry { prometheus.registry }

    /// The series' full name with its help text (the name is used as is: no namespace, subsystem or unit added).
    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help[label] ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        let buckets = prometheus.valueHistogramBuckets[label] ?? prometheus.defaultValueHistogramBuckets
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = prometheus.durationHistogramBuckets[label] ?? prometheus.defaultDurationHistogramBuckets
        return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    func destroyCounter(_ handler: any CounterHandler) { prometheus.destroyCounter(handler) }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        prometheus.destroyFloatingPointCounter(handler)
    }

    func destroyRecorder(_ handler: any RecorderHandler) { prometheus.destroyRecorder(handler) }

    func destroyMeter(_ handler: any MeterHandler) { prometheus.destroyMeter(handler) }

    func destroyTimer(_ handler: any TimerHandler) { prometheus.destroyTimer(handler) }
}

import Metrics

/// What an ``ActorRegistry`` records through swift-metrics (docs/metrics.md), every series labelled with the
/// registry's name only (`registry="conversations"`), never a key.
public struct RegistryMetrics: Sendable {
    /// Gauge: live entries (active or passivating).
    public static let liveEntities = "sufra_registry_live_entities"
    /// Counter: entities created by the factory (first message of a key, or after passivation or a restart).
    public static let activations = "sufra_registry_activations_total"
    /// Counter, label `reason` (`idle`, `evicted`, `shutdown`): entities passivated.
    public static let passivations = "sufra_registry_passivations_total"
    /// Histogram: messages queued for a key when its consumer takes its next batch.
    public static let mailboxDepth = "sufra_registry_mailbox_depth"

    let live: Meter
    let activated: Counter
    let passivatedIdle: Counter
    let passivatedEvicted: Counter
    let passivatedShutdown: Counter
    let depth: Recorder

    /// The series of the registry called `name`, created by `factory` (the global `MetricsSystem.factory`, a no-op
    /// unless bootstrapped, when none is given).
    public init(registry name: String = "registry", factory: any MetricsFactory = MetricsSystem.factory) {
        let dimensions = [("registry", name)]
        live = Meter(label: Self.liveEntities, dimensions: dimensions, factory: factory)
        activated = Counter(label: Self.activations, dimensions: dimensions, factory: factory)
        func passivated(_ reason: String) -> Counter {
            Counter(label: Self.passivations, dimensions: dimensions + [("reason", reason)], factory: factory)
        }
        passivatedIdle = passivated("idle")
        passivatedEvicted = passivated("evicted")
        passivatedShutdown = passivated("shutdown")
        depth = Recorder(label: Self.mailboxDepth, dimensions: dimensions, aggregate: true, factory: factory)
    }

    func passivated(_ reason: PassivationReason) {
        switch reason {
        case .idle: passivatedIdle.increment()
        case .evicted: passivatedEvicted.increment()
        case .shutdown: passivatedShutdown.increment()
        }
    }
}

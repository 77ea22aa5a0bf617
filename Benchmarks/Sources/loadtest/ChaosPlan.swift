/// When and how often a chaos run injects its fault.
struct ChaosPlan: Sendable {
    /// The fault.
    var fault: ChaosFault
    /// Seconds of load before the first injection.
    var firstAt: Duration
    /// Injections, `interval` apart (each after the previous one ended).
    var count: Int
    var interval: Duration
    /// Injects the fault.
    var injector: FaultInjector
}

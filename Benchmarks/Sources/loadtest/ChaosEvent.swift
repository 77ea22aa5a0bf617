/// One injected fault, as the run saw it.
struct ChaosEvent: Sendable, Codable {
    /// The fault.
    var fault: ChaosFault
    /// Seconds since the load began when the fault was injected, and when it was over (the process answering again,
    /// the service thawed or restarted, the sandbox answering on time).
    var startedAt: Double
    var endedAt: Double
    /// Wall-clock seconds since 1970 at the injection (compared with the sandbox's acceptance times).
    var wallStartedAt: Double
}

/// What running a scenario's customers produced, before the correctness check.
struct ScenarioOutcome: Sendable {
    /// Every customer's record.
    var ledgers: [CustomerLedger]
    /// The measurements by group.
    var groups: [String: LoadStats]
    /// The measured window.
    var seconds: Double
    /// Ramp steps (ramp only).
    var ramp: [ScenarioResult.RampStep]?
    /// Scenario-specific assertions (name → held).
    var checks: [String: Bool] = [:]
    /// The faults injected and the recovery from each (chaos only).
    var chaos: ChaosReport?
    /// What the dashboards heard (fanout only).
    var fanOut: FanOutReport?
    /// Each restaurant's send rate (sendrate only).
    var sendRate: SendRateReport?
}

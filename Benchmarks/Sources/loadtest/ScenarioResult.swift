import Foundation

/// Everything one run measured, as written to the JSON file.
struct ScenarioResult: Sendable, Codable {
    /// One group of customers' numbers.
    struct Group: Sendable, Codable {
        var ack: LatencySummary
        var reply: LatencySummary
        var sent: Int
        var acknowledged: Int
        /// Acknowledged webhooks per second over the measured window.
        var acknowledgedPerSecond: Double
        var throttled: [String: Int]
        var errors: [String: Int]
        var ordersConfirmed: Int

        init(_ stats: LoadStats, seconds: Double) {
            ack = stats.ack.summary
            reply = stats.reply.summary
            sent = stats.sent
            acknowledged = stats.acknowledged
            acknowledgedPerSecond = seconds > 0 ? (Double(stats.acknowledged) / seconds * 10).rounded() / 10 : 0
            throttled = stats.throttled
            errors = stats.errors
            ordersConfirmed = stats.ordersConfirmed
        }
    }

    /// One step of a ramp.
    struct RampStep: Sendable, Codable {
        var targetPerSecond: Int
        var group: Group
        var passed: Bool
        /// The machine's steal and idle shares during the step (nil off Linux).
        var machine: MachineShare?
    }

    /// The server's footprint at the end of the load.
    struct ServerUsage: Sendable, Codable {
        var rssMB: Double
        var peakRSSMB: Double
        var cpuSeconds: Double
    }

    var scenario: String
    var parameters: [String: String]
    var startedAt: String
    var seconds: Double
    var groups: [String: Group]
    var ramp: [RampStep]?
    /// The highest ramp rate whose ack p99 stayed within the target.
    var rampBestPerSecond: Int?
    var server: ServerUsage
    var verification: Verification
    /// Scenario-specific assertions (name → held); any false fails the run.
    var checks: [String: Bool]
    /// 1-minute load average of the machine before and after (other builds share it).
    var loadAverage: [String]
    var cores: Int
    /// The machine's steal and idle shares during the load (nil off Linux).
    var machine: MachineShare?
    /// The faults injected and the recovery from each (chaos only).
    var chaos: ChaosReport?
    /// What the dashboards heard (fanout only).
    var fanOut: FanOutReport?
    /// Each restaurant's send rate (sendrate only).
    var sendRate: SendRateReport?
}

import Foundation

/// The machine's CPU counters since boot, summed over every CPU (`/proc/stat`, Linux): what the whole machine did
/// while a step ran, so a slow step can be told from a slow machine.
///
/// Steal is time the hypervisor gave this virtual machine's CPUs to another guest: on the shared 2-core machines the
/// benchmarks run on it moves from 0 to 20 % within a minute, and a step that met much of it measured a slower
/// machine whatever the build.
struct MachineCPU: Sendable {
    /// user + nice + system + irq + softirq.
    var busy: UInt64
    var steal: UInt64
    /// idle + iowait.
    var idle: UInt64

    /// The counters now; nil where `/proc/stat` cannot be read (not Linux).
    static func read() -> MachineCPU? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 8 else { return nil }
        return MachineCPU(
            busy: fields[0] + fields[1] + fields[2] + fields[5] + fields[6], steal: fields[7],
            idle: fields[3] + fields[4])
    }

    /// The shares of the machine's CPU time between `earlier` and these counters.
    func share(since earlier: MachineCPU) -> MachineShare {
        let busy = Double(self.busy &- earlier.busy)
        let steal = Double(self.steal &- earlier.steal)
        let idle = Double(self.idle &- earlier.idle)
        let total = max(busy + steal + idle, 1)
        return MachineShare(
            stealPercent: (1000 * steal / total).rounded() / 10, idlePercent: (1000 * idle / total).rounded() / 10)
    }
}

/// How the machine's CPU time was spent over a window, in percent of all of it.
struct MachineShare: Sendable, Codable, Equatable {
    /// Taken by the hypervisor for other guests.
    var stealPercent: Double
    /// Idle or waiting for I/O.
    var idlePercent: Double

    /// The share between two readings, when both exist.
    static func between(_ start: MachineCPU?, _ end: MachineCPU?) -> MachineShare? {
        guard let start, let end else { return nil }
        return end.share(since: start)
    }
}

import Foundation

/// Prints a ``ScenarioResult`` as a readable table.
enum ReportTable {
    /// The table, one line per group and latency, then the ramp, the server and the checks.
    static func render(_ result: ScenarioResult) -> String {
        var lines = [
            "scenario \(result.scenario)  \(result.parameters.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " "))",
            "window \(String(format: "%.1f", result.seconds)) s  cores \(result.cores)  load avg \(result.loadAverage.joined(separator: " → "))"
                + (result.machine.map { "  steal \(f($0.stealPercent)) %  idle \(f($0.idlePercent)) %" } ?? ""),
            pad(["group", "latency", "count", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"]),
        ]
        for (name, group) in result.groups.sorted(by: { $0.key < $1.key }) {
            for (label, summary) in [("ack", group.ack), ("reply", group.reply)] where summary.count > 0 {
                lines.append(
                    pad([
                        name, label, "\(summary.count)", f(summary.p50), f(summary.p90), f(summary.p99),
                        f(summary.p999),
                        f(summary.max),
                    ]))
            }
            lines.append(
                "  \(name): sent \(group.sent), acknowledged \(group.acknowledged) (\(f(group.acknowledgedPerSecond))/s), "
                    + "orders \(group.ordersConfirmed), 429 \(group.throttled), errors \(group.errors)")
        }
        for step in result.ramp ?? [] {
            lines.append(
                "  ramp \(step.targetPerSecond)/s: \(f(step.group.acknowledgedPerSecond))/s acked, ack p99 "
                    + "\(f(step.group.ack.p99)) ms, reply p99 \(f(step.group.reply.p99)) ms \(step.passed ? "ok" : "over")"
                    + (step.machine.map { " (steal \(f($0.stealPercent)) %, idle \(f($0.idlePercent)) %)" } ?? ""))
        }
        if let best = result.rampBestPerSecond { lines.append("  ramp: highest rate with p99 ≤ 50 ms: \(best)/s") }
        lines.append(
            "server: RSS \(f(result.server.rssMB)) MB (peak \(f(result.server.peakRSSMB)) MB), CPU \(f(result.server.cpuSeconds)) s"
        )
        let check = result.verification
        lines.append(
            "check \(check.passed ? "PASSED" : "FAILED"): \(check.customers) customers, lost \(check.lostMessages), "
                + "extra \(check.extraMessages), uncertain \(check.uncertainMessages), unhandled \(check.unhandledMessages), "
                + "replies missing "
                + "\(check.missingReplies)/extra \(check.extraReplies), orders missing \(check.missingOrders)/extra "
                + "\(check.extraOrders), rated \(check.ratedOrders) (missing \(check.missingRatings)/extra "
                + "\(check.extraRatings)), sandbox missing \(check.sandboxMissing)/extra \(check.sandboxExtra)"
                + (check.checkedSandbox ? "" : " (sandbox not checked)") + ", outbound pending \(check.outboundPending)"
        )
        lines.append(
            "check sids: acknowledged not stored \(check.acknowledgedNotStored), acknowledged unhandled "
                + "\(check.acknowledgedUnhandled), refused but stored \(check.refusedButStored), given up unanswered "
                + "and stored \(check.uncertainStored)")
        if let delivery = check.delivery {
            lines.append(
                "check delivery: \(delivery.delivered) accepted by Twilio, duplicates \(delivery.duplicates) "
                    + "(in a kill window \(delivery.duplicatesInKillWindow)), dead letters \(delivery.deadLetters) "
                    + "(delivered \(delivery.deadLettersDelivered)), undelivered \(delivery.undelivered), settled late "
                    + "(answer lost, no second copy) \(delivery.settledLate)")
        }
        if let chaos = result.chaos {
            lines.append(
                "chaos \(chaos.fault.rawValue): \(f(chaos.acknowledgedPerSecondBefore)) acknowledged/s before the fault"
            )
            for injection in chaos.injections {
                lines.append(
                    "  injected at \(f(injection.event.startedAt)) s, over at \(f(injection.event.endedAt)) s: "
                        + "webhooks failing for \(f(injection.recovery.outage)) s, recovered after "
                        + "\(f(injection.recovery.recovered)) s, last disturbance at \(f(injection.recovery.lastDisturbance)) s"
                )
            }
        }
        if let fanOut = result.fanOut {
            let latency = fanOut.latency
            lines.append(
                "fan-out: \(fanOut.attached)/\(fanOut.sockets) dashboards taken over \(fanOut.restaurants) restaurants "
                    + "(limits allow \(fanOut.admitted); upgraded \(fanOut.connected), saw 1013 \(fanOut.refused), "
                    + "server refused \(fanOut.serverRefused.map(String.init) ?? "?")), "
                    + "opened in \(f(fanOut.connectSeconds)) s\(fanOut.failures.isEmpty ? "" : ", failures \(fanOut.failures)")"
            )
            lines.append(
                "  message.received: \(fanOut.events) events for \(fanOut.acknowledged) acknowledged, "
                    + "\(fanOut.deliveries)/\(fanOut.expectedDeliveries) deliveries, dashboards missing some "
                    + "\(fanOut.socketsMissingEvents); frames heard \(fanOut.frames) (another restaurant's "
                    + "\(fanOut.foreignFrames), unreadable \(fanOut.unreadableFrames))")
            lines.append(
                "  published → heard: p50 \(f(latency.p50)) ms, p90 \(f(latency.p90)) ms, p99 \(f(latency.p99)) ms, "
                    + "p99.9 \(f(latency.p999)) ms, max \(f(latency.max)) ms")
        }
        if let sendRate = result.sendRate {
            lines.append(
                "send rate: \(sendRate.restaurants.count) restaurants over \(f(sendRate.windowSeconds)) s "
                    + "(replies at the sandbox, after the warm-up)")
            for rate in sendRate.classes {
                lines.append(
                    "  \(rate.sendPerMinute)/min × \(rate.restaurants): min \(f(rate.minimumPerMinute)), median "
                        + "\(f(rate.medianPerMinute)), max \(f(rate.maximumPerMinute)) per minute; worst deviation "
                        + "\(f(rate.worstDeviationPercent)) %")
            }
        }
        for (name, held) in result.checks.sorted(by: { $0.key < $1.key }) {
            lines.append("check \(held ? "PASSED" : "FAILED"): \(name)")
        }
        return lines.joined(separator: "\n")
    }

    private static func f(_ value: Double) -> String { String(format: "%.2f", value) }

    private static func pad(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            let width = index < 2 ? 8 : 10
            return cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
        }.joined()
    }
}

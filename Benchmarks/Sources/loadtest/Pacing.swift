/// When a customer sends its next message.
enum Pacing: Sendable {
    /// Closed model: after the previous reply, think for about `thinkTime` (uniform 0.5…1.5×), then send now.
    case closed(thinkTime: Duration)
    /// Open model: message `k` of this customer is due at `start + offset + k × interval`, whatever happened
    /// before; latency counts from that intended time, so a slow server cannot hide its queue (no coordinated
    /// omission).
    case open(start: ContinuousClock.Instant, offset: Duration, interval: Duration)

    /// Waits until message number `index` is due and returns the instant latency is measured from.
    func due(messageIndex index: Int) async -> ContinuousClock.Instant {
        switch self {
        case .closed(let thinkTime):
            if thinkTime > .zero {
                try? await Task.sleep(for: thinkTime * Double.random(in: 0.5...1.5))
            }
            return .now
        case .open(let start, let offset, let interval):
            let intended = start + offset + interval * index
            if intended > .now { try? await Task.sleep(until: intended, clock: .continuous) }
            return intended
        }
    }

    /// A pause between two actions that are not messages (staff moving an order): the think time in the closed
    /// model, none in the open one.
    func pause() async {
        if case .closed(let thinkTime) = self, thinkTime > .zero {
            try? await Task.sleep(for: thinkTime * Double.random(in: 0.5...1.5))
        }
    }
}

/// How a customer retries one message that was not answered 200 (always with its `MessageSid`, as Twilio does).
struct RetryPolicy: Sendable {
    /// Attempts per message, the first included, before the conversation is abandoned.
    var attempts = 3
    /// Pause before the second attempt; doubled for each further one up to ``maximumBackoff``.
    var backoff: Duration = .zero
    var maximumBackoff: Duration = .zero
    /// Whether retries go on after the run's deadline (the chaos runs: a message refused during a fault is retried
    /// until it is stored, so the check at the end can hold every message to "stored exactly once").
    var pastDeadline = false

    /// The pause before attempt number `attempt` (0-based; none before the first), with ±25 % jitter so that
    /// customers refused at the same moment do not all come back at the same moment.
    func pause(before attempt: Int) -> Duration {
        guard attempt > 0, backoff > .zero else { return .zero }
        let doubled = backoff * (1 << min(attempt - 1, 16))
        return min(doubled, maximumBackoff) * Double.random(in: 0.75...1.25)
    }

    /// Twilio with a connection override such as `#rp=all&rc=5` retries a failed webhook a few times at once; the
    /// chaos runs retry longer (30 attempts, 0.5 s doubling to 4 s: about 2 minutes), so that a fault of 20 s plus
    /// its recovery cannot make a message be given up.
    static let chaos = RetryPolicy(
        attempts: 30, backoff: .milliseconds(500), maximumBackoff: .seconds(4), pastDeadline: true)
}

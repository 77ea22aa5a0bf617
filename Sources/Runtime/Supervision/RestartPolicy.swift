/// How a supervisor restarts a failed child: at most `maxRestarts` within `window`, waiting an exponential
/// backoff with jitter between attempts; past the limit the child is stopped and the failure escalated.
public struct RestartPolicy: Hashable, Sendable {
    /// Restarts allowed inside one `window` before giving up (Erlang's *intensity*).
    public var maxRestarts: Int
    /// The sliding window the restarts are counted in (Erlang's *period*).
    public var window: Duration
    /// Backoff before the first restart; doubled for each further restart inside the window.
    public var initialBackoff: Duration
    /// Upper bound of the backoff.
    public var maxBackoff: Duration
    /// Fraction of the backoff that is randomised (0 = none, 0.2 = ±20 %).
    public var jitter: Double

    /// A policy; the defaults allow 5 restarts in 60 s with 100 ms … 10 s backoff and ±20 % jitter.
    public init(
        maxRestarts: Int = 5,
        window: Duration = .seconds(60),
        initialBackoff: Duration = .milliseconds(100),
        maxBackoff: Duration = .seconds(10),
        jitter: Double = 0.2
    ) {
        self.maxRestarts = maxRestarts
        self.window = window
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.jitter = min(max(jitter, 0), 1)
    }
}

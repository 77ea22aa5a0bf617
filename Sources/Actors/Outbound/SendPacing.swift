import Runtime

/// How a restaurant's send loop paces its sends, as a value the loop asks before taking work (tested as a value;
/// the loop performs the leases it asks for).
///
/// With a shared send bucket (``SendTokenLeasing``, one per restaurant for every process) the loop spends tokens
/// it leased from it, so any number of `serve` and `worker` processes together send at the restaurant's rate. It
/// leases at most ``slice`` tokens at a time, so a process holds at most that many unspent (and drops them after
/// ``leaseLifetime``); the shared bucket's burst is the one a single process had, ten seconds' worth. While the
/// shared bucket runs short (a lease got less than it asked, or had to wait), tokens a loop leased and found no work
/// for go back to it (``unspent(at:)``): another process may hold that restaurant's sendable replies. Without a
/// shared bucket, or for ``fallbackDuration`` after it failed (Redis down or slow: sending must not stop), the
/// loop paces with a bucket of the same shape of its own, as every process did before — then N processes send
/// up to N times the rate until the shared bucket answers again.
struct SendPacing: Sendable {
    /// What the loop does next.
    enum Step: Sendable, Equatable {
        /// Take and send up to this many jobs now (then report them with ``spent(_:at:)``).
        case send(Int)
        /// Lease up to this many tokens from the shared bucket, then ask again.
        case lease(Int)
        /// No token: ask again after this long.
        case wait(Duration)
    }

    /// How long leased tokens stay usable.
    static let leaseLifetime: Duration = .seconds(60)
    /// How long the loop paces on its own bucket after the shared one failed.
    static let fallbackDuration: Duration = .seconds(5)

    /// The rate this pacing was made for.
    let sendPerMinute: Int
    /// Whether a shared bucket is there to lease from.
    let isShared: Bool
    /// Tokens one lease asks for at most: half the bucket's burst (at least 1).
    let slice: Int
    private var own: TokenBucket<ContinuousClock.Instant>
    private var leased = 0
    private var leasedAt: ContinuousClock.Instant?
    private var waitUntil: ContinuousClock.Instant?
    private var ownUntil: ContinuousClock.Instant?
    /// The shared bucket ran short at the last lease (it gave less than asked, or said to wait).
    private var scarce = false

    /// Pacing at `sendPerMinute`, shared when `isShared`, from `now`.
    init(sendPerMinute: Int, isShared: Bool, now: ContinuousClock.Instant) {
        self.sendPerMinute = sendPerMinute
        self.isShared = isShared
        own = TokenBucket.perMinute(sendPerMinute, now: now)
        slice = max(1, Int(own.capacity) / 2)
    }

    /// Whether the loop paces on its own bucket at `now` (no shared bucket, or it failed a moment ago).
    func pacesAlone(at now: ContinuousClock.Instant) -> Bool {
        guard isShared else { return true }
        if let ownUntil, now < ownUntil { return true }
        return false
    }

    /// What to do at `now` to send up to `wanted` jobs (at least 1).
    mutating func next(wanting wanted: Int, at now: ContinuousClock.Instant) -> Step {
        let wanted = max(1, wanted)
        if pacesAlone(at: now) {
            if let delay = own.timeUntilAvailable(1, now: now), delay > .zero { return .wait(delay) }
            return .send(min(max(1, Int(own.available(now: now).rounded(.down))), wanted))
        }
        if leased > 0, let leasedAt, now - leasedAt < Self.leaseLifetime { return .send(min(leased, wanted)) }
        leased = 0
        if let waitUntil, now < waitUntil { return .wait(waitUntil - now) }
        return .lease(min(slice, wanted))
    }

    /// The tokens to give back to the shared bucket at `now` because the loop has no work for them: those leased and
    /// unspent while the shared bucket runs short (else they are kept for the next reply), and none when pacing
    /// alone or once they outlived ``leaseLifetime``.
    mutating func unspent(at now: ContinuousClock.Instant) -> Int {
        guard scarce, !pacesAlone(at: now), leased > 0, let leasedAt, now - leasedAt < Self.leaseLifetime else {
            return 0
        }
        defer { leased = 0 }
        return leased
    }

    /// The shared bucket gave `count` of the `asked` tokens at `now`.
    mutating func granted(_ count: Int, of asked: Int, at now: ContinuousClock.Instant) {
        scarce = count < asked
        leased += max(0, count)
        leasedAt = now
        waitUntil = nil
    }

    /// The shared bucket has no token for `delay` from `now`.
    mutating func told(toWait delay: Duration, at now: ContinuousClock.Instant) {
        scarce = true
        waitUntil = now + delay
    }

    /// The shared bucket could not be reached at `now`: pace alone for ``fallbackDuration``.
    mutating func sharedFailed(at now: ContinuousClock.Instant) {
        ownUntil = now + Self.fallbackDuration
        waitUntil = nil
    }

    /// `count` jobs were started at `now` (each spends a token).
    mutating func spent(_ count: Int, at now: ContinuousClock.Instant) {
        guard count > 0 else { return }
        if pacesAlone(at: now) {
            for _ in 0..<count { _ = own.take(1, now: now) }
        } else {
            leased = max(0, leased - count)
        }
    }
}

/// When a group-commit flusher may start a batch (``BatchQueue``): a pure rule, kept as a value so it is tested as
/// one.
///
/// With nothing in flight a batch starts at once, however small: an idle system commits each message as it comes.
/// While batches are in flight, the next one starts once half as many entries are pending as the batch last
/// started held (and at least one), or when the last in-flight batch finishes. Batches then settle at about the
/// same size, offset by half a commit, instead of one big batch and a train of tiny ones that each pay a whole
/// transaction's fixed cost (statements, a WAL flush) while the big one's callers' successors pile up.
///
/// Below `enough` pending entries (1 by default) no second batch starts while one is in flight, and with a gather
/// `window` batches also start at least that far apart, whichever flusher takes them: at customer pace (a message
/// every few milliseconds, each batch a transaction of its own) one transaction at a time carries the messages of
/// a window, while under load, where more than `enough` are always pending, the flushers commit side by side as
/// before and the database is never left idle.
struct BatchStagger: Equatable {
    /// What a flusher does next.
    enum Decision: Equatable {
        /// Take a batch now.
        case start
        /// Sleep until the window passes, then decide again (one flusher at a time gathers).
        case gather(until: ContinuousClock.Instant)
        /// Wait for an entry, a finished batch, or the gathering flusher.
        case wait
    }

    /// The least time between two batch starts while fewer than `enough` entries are pending (zero: none).
    let window: Duration
    /// Pending entries that start a batch within the window or beside one in flight.
    let enough: Int
    /// Batches taken and not yet finished.
    private(set) var inFlight = 0
    /// The size of the batch started last.
    private(set) var lastStarted = 0
    /// When the last batch started.
    private(set) var lastStartedAt: ContinuousClock.Instant?
    /// Whether a flusher is sleeping until the window passes.
    private(set) var gathering = false

    /// A rule with a gather `window` (none by default) that `enough` pending entries skip.
    init(window: Duration = .zero, enough: Int = 1) {
        self.window = window
        self.enough = max(1, enough)
    }

    /// What a flusher does with `pending` entries waiting at `now`.
    func decide(pending: Int, now: ContinuousClock.Instant) -> Decision {
        guard pending > 0 else { return .wait }
        if inFlight > 0 && pending < max(enough, (lastStarted + 1) / 2) { return .wait }
        if window > .zero, pending < enough, let lastStartedAt, now < lastStartedAt + window {
            return gathering ? .wait : .gather(until: lastStartedAt + window)
        }
        return .start
    }

    /// A batch of `size` entries was taken at `now`.
    mutating func started(_ size: Int, at now: ContinuousClock.Instant) {
        inFlight += 1
        lastStarted = size
        lastStartedAt = now
    }

    /// A batch finished (committed or failed).
    mutating func finished() {
        inFlight = max(0, inFlight - 1)
    }

    /// A flusher goes to sleep until the window passes (`true`), or woke (`false`).
    mutating func setGathering(_ gathering: Bool) {
        self.gathering = gathering
    }
}

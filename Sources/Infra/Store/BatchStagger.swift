/// When a group-commit flusher may start a batch while another is in flight (``BatchQueue``): a pure rule, kept
/// as a value so it is tested as one.
///
/// With nothing in flight a batch starts at once, however small: an idle system commits each message as it comes.
/// While batches are in flight, the next one starts once half as many entries are pending as the batch last
/// started held (and at least one), or when the last in-flight batch finishes. Batches then settle at about the
/// same size, offset by half a commit, instead of one big batch and a train of tiny ones that each pay a whole
/// transaction's fixed cost (statements, a WAL flush) while the big one's callers' successors pile up.
struct BatchStagger: Equatable {
    /// Batches taken and not yet finished.
    private(set) var inFlight = 0
    /// The size of the batch started last.
    private(set) var lastStarted = 0

    /// Whether a batch may start with `pending` entries waiting.
    func mayStart(pending: Int) -> Bool {
        guard pending > 0 else { return false }
        return inFlight == 0 || pending >= max(1, (lastStarted + 1) / 2)
    }

    /// A batch of `size` entries was taken.
    mutating func started(_ size: Int) {
        inFlight += 1
        lastStarted = size
    }

    /// A batch finished (committed or failed).
    mutating func finished() {
        inFlight = max(0, inFlight - 1)
    }
}

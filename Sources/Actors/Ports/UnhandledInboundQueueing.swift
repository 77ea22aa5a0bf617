/// Inbound messages acknowledged but not handled, as the sweeper works through them (PostgreSQL in Infra).
public protocol UnhandledInboundQueueing: Sendable {
    /// Takes up to `limit` unhandled messages whose re-drive is due (a first one once older than `graceSeconds`),
    /// earliest due first, and decides each with `policy` (``InboundRetryPolicy/next(attemptsBefore:)``) in the
    /// same statement: a re-drive counts an attempt and sets the next due time; a message past its last attempt
    /// is marked failed and returned in ``UnhandledBatch/failed``.
    func takeDue(graceSeconds: Int, limit: Int, policy: InboundRetryPolicy) async throws -> UnhandledBatch

    /// Gives back re-drives that could not start (a full mailbox, too many conversations): the attempt does not
    /// count, and they are due again after `after`.
    func release(messageIds: [String], after: Duration) async throws

    /// Notes why re-driving a message failed (shown as `lastError` if it ends failed).
    func recordError(messageId: String, error: String) async throws
}

/// What one sweep took.
public struct UnhandledBatch: Sendable, Equatable {
    /// To re-drive now.
    public var redrive: [UnhandledInbound]
    /// Marked failed for good by this sweep.
    public var failed: [UnhandledInbound]

    /// Creates a batch.
    public init(redrive: [UnhandledInbound], failed: [UnhandledInbound]) {
        self.redrive = redrive
        self.failed = failed
    }
}

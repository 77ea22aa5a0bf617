/// Durably records accepted webhooks together with the bot step decided for each (decide before commit): the
/// message, its conversation (upserted: last message time, unread count, and the step's new versioned state),
/// the step's order effects and queued replies, the handled mark and the audit log, committed before the caller
/// is answered (invariants 1 and 2).
public protocol InboundIngest: Sendable {
    /// Stores `message` and, when `step` is given and still applies (the message is new and the conversation's
    /// stored version is the one the step was decided from), the step's effects in the same transaction.
    /// A `MessageSid` already stored answers ``IngestOutcome/duplicate`` and writes nothing but the audit line:
    /// its step is discarded. Throws ``StorageUnavailable`` when the database cannot be reached, or when
    /// `deadline` passes before the commit (a message not yet written is then dropped; one in a transaction
    /// already may still commit).
    func ingest(
        _ message: InboundWebhook, step: DecidedStep?, deadline: ContinuousClock.Instant?
    ) async throws
        -> IngestOutcome

    /// Writes only an audit line (throttled webhooks keep their payload, docs/inbound.md), waiting at most until
    /// `deadline`.
    func audit(_ message: InboundWebhook, outcome: String, deadline: ContinuousClock.Instant?) async throws
}

extension InboundIngest {
    /// Stores `message` with its step, waiting for the commit however long it takes (the database's own
    /// timeouts bound it).
    public func ingest(_ message: InboundWebhook, step: DecidedStep?) async throws -> IngestOutcome {
        try await ingest(message, step: step, deadline: nil)
    }

    /// Stores `message` with no bot step (the sweeper or a ConversationActor handles it later).
    public func ingest(_ message: InboundWebhook) async throws -> IngestOutcome {
        try await ingest(message, step: nil, deadline: nil)
    }

    /// Writes only an audit line.
    public func audit(_ message: InboundWebhook, outcome: String) async throws {
        try await audit(message, outcome: outcome, deadline: nil)
    }
}

/// What the ingest writer did with a message.
public enum IngestOutcome: Sendable, Equatable {
    /// Stored for the first time.
    case accepted(IngestReceipt)
    /// Stored before; nothing new was written and the step (if any) was discarded.
    case duplicate
}

/// A message stored for the first time, and what became of its step.
public struct IngestReceipt: Sendable, Equatable {
    /// The stored message's id.
    public var messageId: String
    /// Its conversation's id.
    public var conversationId: String
    /// The committed step, or nil when the message was stored unhandled (no step, or the conversation's
    /// version moved under it, or the step failed alone): a ConversationActor or the sweeper handles it later.
    public var step: StepReceipt?

    /// Creates a receipt.
    public init(messageId: String, conversationId: String, step: StepReceipt?) {
        self.messageId = messageId
        self.conversationId = conversationId
        self.step = step
    }
}

/// A bot step committed with its message.
public struct StepReceipt: Sendable, Equatable {
    /// The conversation's new row version.
    public var version: Int64
    /// The replies' outbound message ids, in order.
    public var queuedMessageIds: [String]
    /// The orders the step touched, as they now are.
    public var orders: [OrderSnapshot]

    /// Creates a step receipt.
    public init(version: Int64, queuedMessageIds: [String], orders: [OrderSnapshot]) {
        self.version = version
        self.queuedMessageIds = queuedMessageIds
        self.orders = orders
    }
}

/// The database could not be reached or failed mid-write; nothing was half-written.
public struct StorageUnavailable: Error, Sendable, CustomStringConvertible {
    /// Why, without secrets.
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}

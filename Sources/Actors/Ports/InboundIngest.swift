/// Durably records accepted webhooks: the message, its conversation (upserted: last message time, unread
/// count) and the audit log, committed before the caller is answered (invariant 1).
public protocol InboundIngest: Sendable {
    /// Stores `message`; a `MessageSid` already stored answers ``IngestOutcome/duplicate`` and writes nothing
    /// but the audit line. Throws ``StorageUnavailable`` when the database cannot be reached.
    func ingest(_ message: InboundWebhook) async throws -> IngestOutcome

    /// Writes only an audit line (throttled webhooks keep their payload, CONTRACT.md §3 step 4).
    func audit(_ message: InboundWebhook, outcome: String) async throws
}

/// What the ingest writer did with a message.
public enum IngestOutcome: Sendable, Equatable {
    /// Stored for the first time.
    case accepted(messageId: String, conversationId: String)
    /// Stored before; nothing new was written.
    case duplicate
}

/// The database could not be reached or failed mid-write; nothing was half-written.
public struct StorageUnavailable: Error, Sendable, CustomStringConvertible {
    /// Why, without secrets.
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}

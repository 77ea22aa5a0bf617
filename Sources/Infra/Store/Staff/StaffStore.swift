import Actors
import Foundation

/// What the dashboard reads and writes, confined to one restaurant by construction: every method takes the
/// restaurant id of the caller's token first and every statement is scoped by it, so another restaurant's
/// conversation, message or order is simply not found (the API answers 404).
public struct StaffStore: Sendable {
    let client: PGPool
    /// How long a conversation staff took over stays theirs after their last message (`HANDOFF_IDLE_MINUTES`).
    let handoffIdleSeconds: Int
    /// Wakes the senders after a staff reply committed (without one, they find it by their poll).
    let notifier: OutboundNotifier?

    /// Creates the store.
    public init(client: PGPool, handoffIdleMinutes: Int = 30, notifier: OutboundNotifier? = nil) {
        self.client = client
        self.handoffIdleSeconds = max(1, handoffIdleMinutes) * 60
        self.notifier = notifier
    }

    /// `to_char` of a timestamptz column as ISO-8601 UTC with microseconds.
    static func iso(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    }

    /// A timestamptz column as microseconds since 1970 (exact: `extract` is numeric).
    static func micros(_ column: String) -> String {
        "(extract(epoch FROM \(column)) * 1000000)::bigint"
    }

    /// Whether `text` is a uuid (anything else cannot name a row: not found rather than a cast error).
    static func isID(_ text: String) -> Bool { UUID(uuidString: text) != nil }

}

import Actors

/// ``UnhandledInboundQueueing`` on PostgreSQL (migration 5's `handle_attempts`, `next_handle_at`, `handle_error`,
/// `handle_failed_at`): one statement takes the due messages (earliest `coalesce(next_handle_at, created_at)`
/// first, `FOR UPDATE SKIP LOCKED` so several processes share the work) and moves each to its next step.
public struct UnhandledInboundQueue: UnhandledInboundQueueing {
    private let client: PGPool

    /// A queue on `client`.
    public init(client: PGPool) {
        self.client = client
    }

    public func takeDue(graceSeconds: Int, limit: Int, policy: InboundRetryPolicy) async throws -> UnhandledBatch {
        // The backoff of InboundRetryPolicy.backoff(afterAttempt: handle_attempts + 1), in SQL.
        let initial = OutboundQueue.milliseconds(policy.initialBackoff)
        let maximum = OutboundQueue.milliseconds(policy.maxBackoff)
        let rows = try await client.query(
            """
            WITH due AS (
                SELECT m.id, m.handle_attempts >= \(policy.maxAttempts) AS give_up FROM messages m
                WHERE m.direction = 'inbound' AND m.handled_at IS NULL AND m.handle_failed_at IS NULL
                    AND coalesce(m.next_handle_at, m.created_at) <= now()
                    AND (m.next_handle_at IS NOT NULL OR m.created_at < now() - make_interval(secs => \(graceSeconds)))
                ORDER BY coalesce(m.next_handle_at, m.created_at), m.id
                LIMIT \(limit)
                FOR UPDATE OF m SKIP LOCKED
            )
            UPDATE messages m SET
                handle_attempts = m.handle_attempts + CASE WHEN due.give_up THEN 0 ELSE 1 END,
                next_handle_at = CASE WHEN due.give_up THEN NULL
                    ELSE now() + least(\(initial)::float8 * power(2, m.handle_attempts), \(maximum)::float8)
                        * interval '1 millisecond' END,
                handle_failed_at = CASE WHEN due.give_up THEN now() END,
                status = CASE WHEN due.give_up THEN 'failed' ELSE m.status END,
                error_code = CASE WHEN due.give_up THEN 'unhandled' ELSE m.error_code END,
                attempts = CASE WHEN due.give_up THEN m.handle_attempts ELSE m.attempts END,
                last_error = CASE WHEN due.give_up
                    THEN 'not handled after ' || m.handle_attempts || ' re-drives'
                        || coalesce(': ' || m.handle_error, '')
                    ELSE m.last_error END
            FROM due, conversations c
            WHERE m.id = due.id AND c.id = m.conversation_id
            RETURNING m.id::text AS id, m.restaurant_id::text AS restaurant_id, c.customer, due.give_up
            """)
        var redrive: [UnhandledInbound] = []
        var failed: [UnhandledInbound] = []
        for row in rows {
            let entry = UnhandledInbound(
                key: ConversationKey(
                    restaurantId: try row.decode("restaurant_id", as: String.self),
                    customer: try row.decode("customer", as: String.self)),
                messageId: try row.decode("id", as: String.self))
            if try row.decode("give_up", as: Bool.self) {
                failed.append(entry)
            } else {
                redrive.append(entry)
            }
        }
        return UnhandledBatch(redrive: redrive, failed: failed)
    }

    public func release(messageIds: [String], after: Duration) async throws {
        guard !messageIds.isEmpty else { return }
        try await client.query(
            """
            UPDATE messages SET handle_attempts = greatest(handle_attempts - 1, 0),
                next_handle_at = now() + \(OutboundQueue.milliseconds(after)) * interval '1 millisecond'
            WHERE id = ANY(string_to_array(\(messageIds.joined(separator: ",")), ',')::uuid[])
                AND handled_at IS NULL AND handle_failed_at IS NULL
            """)
    }

    public func recordError(messageId: String, error: String) async throws {
        try await client.query(
            """
            UPDATE messages SET handle_error = left(\(error), 2000)
            WHERE id = \(messageId)::uuid AND handled_at IS NULL
            """)
    }
}

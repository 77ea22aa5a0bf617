import Actors
import Foundation

/// The durable outbound queue in PostgreSQL: the `messages` row is the job (`queued → sending → sent`, or
/// `failed`, or `dead` after the last attempt).
///
/// Claims lease rows to this process (`lease_owner`, `lease_until`) with `FOR UPDATE SKIP LOCKED`, so any number
/// of processes share the queue without claiming the same row. Every completion is fenced by the lease
/// (`AND lease_owner = owner AND status = 'sending'`): a late result of a lease that was reaped changes nothing. A
/// lease that runs out (a killed worker) is put back to `queued` by ``reapExpiredLeases()`` marked
/// `send_uncertain`, because the worker may have reached Twilio before it died: the next claim looks the message
/// up at Twilio before sending it again.
public struct OutboundQueue: OutboundQueueing {
    /// The channel new jobs are announced on (payload: the restaurant id).
    public static let channel = "sufra_outbound"

    /// This process's name in `lease_owner`.
    public let owner: String
    /// How long a claim holds a job.
    public let leaseDuration: Duration
    let client: PGPool

    /// A queue on `client`; `owner` names this process in leases.
    public init(
        client: PGPool, leaseDuration: Duration = .seconds(60),
        owner: String = "sufra-" + UUID().uuidString.prefix(8).lowercased()
    ) {
        self.client = client
        self.leaseDuration = leaseDuration
        self.owner = owner
    }

    static let messageColumns = """
        m.id::text AS id, m.conversation_id::text AS conversation_id, m.direction, m.body, m.content_sid, m.sid,
        m.status, m.error_code, m.attempts, m.last_error,
        to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_iso,
        (extract(epoch FROM m.created_at) * 1000000)::bigint AS created_micros
        """

    public func claim(restaurantId: String, limit: Int) async throws -> [OutboundJob] {
        guard limit > 0 else { return [] }
        let rows = try await client.query(
            """
            WITH picked AS (
                SELECT m.id FROM messages m
                JOIN restaurants r ON r.id = m.restaurant_id AND r.status = 'active'
                WHERE m.restaurant_id = \(restaurantId)::uuid AND m.direction = 'outbound' AND m.status = 'queued'
                    AND m.next_attempt_at <= now()
                    AND NOT EXISTS (
                        SELECT 1 FROM messages e
                        WHERE e.conversation_id = m.conversation_id AND e.direction = 'outbound'
                            AND e.status IN ('queued', 'sending') AND (e.created_at, e.id) < (m.created_at, m.id))
                ORDER BY m.created_at, m.id
                LIMIT \(limit)
                FOR UPDATE OF m SKIP LOCKED
            )
            UPDATE messages m SET status = 'sending', status_rank = 1, lease_owner = \(owner),
                lease_until = now() + \(Self.milliseconds(leaseDuration)) * interval '1 millisecond',
                first_attempt_at = coalesce(m.first_attempt_at, now())
            FROM picked, conversations c
            WHERE m.id = picked.id AND c.id = m.conversation_id
            RETURNING m.id::text AS id, m.restaurant_id::text AS restaurant_id,
                m.conversation_id::text AS conversation_id, c.customer, m.body, m.content_sid,
                m.content_variables::text AS content_variables, m.attempts,
                coalesce(c.last_inbound_at > now() - interval '24 hours', false) AS window_open,
                m.send_uncertain, m.sid,
                CASE WHEN m.send_uncertain THEN (
                    SELECT string_agg(o.sid, ',') FROM messages o
                    WHERE o.conversation_id = m.conversation_id AND o.id <> m.id AND o.direction = 'outbound'
                        AND o.sid IS NOT NULL AND o.sent_at >= m.first_attempt_at - interval '10 minutes'
                ) END AS other_sids,
                (extract(epoch FROM coalesce(m.first_attempt_at, now())) * 1000000)::bigint AS first_attempt_micros,
                (extract(epoch FROM m.created_at) * 1000000)::bigint AS created_micros
            """)
        // RETURNING does not keep the CTE's order: sort by queue order again.
        let claimed = try rows.map { row in
            let job = OutboundJob(
                id: try row.decode("id", as: String.self),
                restaurantId: try row.decode("restaurant_id", as: String.self),
                conversationId: try row.decode("conversation_id", as: String.self),
                customer: try row.decode("customer", as: String.self), body: try row.decode("body", as: String?.self),
                contentSid: try row.decode("content_sid", as: String?.self),
                contentVariables: try row.decode("content_variables", as: String?.self),
                attempts: try row.decode("attempts", as: Int.self),
                windowOpen: try row.decode("window_open", as: Bool.self),
                uncertain: try row.decode("send_uncertain", as: Bool.self),
                firstAttemptMicros: try row.decode("first_attempt_micros", as: Int64.self))
            var uncertain = job
            uncertain.knownSid = try row.decode("sid", as: String?.self)
            if let others = try row.decode("other_sids", as: String?.self) {
                uncertain.otherSids = Set(others.split(separator: ",").map(String.init))
            }
            return (micros: try row.decode("created_micros", as: Int64.self), job: uncertain)
        }
        return claimed.sorted { ($0.micros, $0.job.id) < ($1.micros, $1.job.id) }.map(\.job)
    }

    public func complete(_ job: OutboundJob, with decision: OutboundDecision) async throws -> OutboundCompletion {
        // Every statement is fenced: only the lease holder, only while the row is still `sending`.
        let rows: PGRows
        switch decision {
        case .sent(let sid, let attempted):
            rows = try await client.query(
                """
                UPDATE messages m SET sid = \(sid), sent_at = now(), attempts = attempts + \(attempted ? 1 : 0),
                    status = CASE WHEN status_rank > 2 THEN status ELSE 'sent' END,
                    status_rank = greatest(status_rank, 2), lease_owner = NULL, lease_until = NULL,
                    next_attempt_at = NULL, last_error = NULL, send_uncertain = false
                WHERE id = \(job.id)::uuid AND lease_owner = \(owner) AND status = 'sending'
                RETURNING \(unescaped: Self.messageColumns)
                """)
        case .retry(let after, let reason):
            rows = try await client.query(
                """
                UPDATE messages m SET status = 'queued', status_rank = 0, attempts = attempts + 1,
                    next_attempt_at = now() + \(Self.milliseconds(after)) * interval '1 millisecond',
                    lease_owner = NULL, lease_until = NULL, last_error = \(reason)
                WHERE id = \(job.id)::uuid AND lease_owner = \(owner) AND status = 'sending'
                RETURNING \(unescaped: Self.messageColumns)
                """)
        case .uncertain(let after, let reason, let attempted):
            rows = try await client.query(
                """
                UPDATE messages m SET status = 'queued', status_rank = 0, attempts = attempts + \(attempted ? 1 : 0),
                    send_uncertain = true,
                    next_attempt_at = now() + \(Self.milliseconds(after)) * interval '1 millisecond',
                    lease_owner = NULL, lease_until = NULL, last_error = \(reason)
                WHERE id = \(job.id)::uuid AND lease_owner = \(owner) AND status = 'sending'
                RETURNING \(unescaped: Self.messageColumns)
                """)
        case .dead(let reason):
            rows = try await client.query(
                """
                UPDATE messages m SET status = 'dead', status_rank = 3, attempts = attempts + 1,
                    next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL, last_error = \(reason),
                    send_uncertain = false
                WHERE id = \(job.id)::uuid AND lease_owner = \(owner) AND status = 'sending'
                RETURNING \(unescaped: Self.messageColumns)
                """)
        case .failed(let code, let reason, let attempted):
            rows = try await client.query(
                """
                UPDATE messages m SET status = 'failed', status_rank = 3,
                    attempts = attempts + \(attempted ? 1 : 0), error_code = \(code), error_message = \(reason),
                    next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL, last_error = \(reason)
                WHERE id = \(job.id)::uuid AND lease_owner = \(owner) AND status = 'sending'
                RETURNING \(unescaped: Self.messageColumns)
                """)
        case .credentialsRejected(let reason, let version):
            return try await rejectCredentials(job, reason: reason, version: version)
        }
        return OutboundCompletion(message: try rows.first.map(Self.message))
    }

    /// A 401: the job goes back without using an attempt; the restaurant becomes inactive only if the failing
    /// send's credentials version is still the current one (a token rotated since may well be right). When it is
    /// not, the job waits a second, long enough for the directory to load the new token.
    private func rejectCredentials(
        _ job: OutboundJob, reason: String, version: Int64
    ) async throws -> OutboundCompletion {
        try await client.withTransaction { connection in
            let changed = try await connection.execute(
                """
                UPDATE restaurants SET status = 'inactive', status_reason = \(reason), updated_at = now()
                WHERE id = \(job.restaurantId)::uuid AND status = 'active' AND credentials_version = \(version)
                """)
            let delay = changed > 0 ? 0 : 1000
            let rows = try await connection.query(
                """
                UPDATE messages m SET status = 'queued', status_rank = 0,
                    next_attempt_at = now() + \(delay) * interval '1 millisecond',
                    lease_owner = NULL, lease_until = NULL, last_error = \(reason)
                WHERE id = \(job.id)::uuid AND lease_owner = \(owner) AND status = 'sending'
                RETURNING \(unescaped: Self.messageColumns)
                """)
            if changed > 0 {
                try await connection.execute(
                    "SELECT pg_notify(\(RestaurantRepository.changesChannel), \(job.restaurantId))")
            }
            return OutboundCompletion(message: try rows.first.map(Self.message), deactivatedRestaurant: changed > 0)
        }
    }

    public func release(_ jobs: [OutboundJob]) async throws {
        guard !jobs.isEmpty else { return }
        // Still ours and still leased (never after the reaper could have handed it on): back to the queue untried.
        try await client.execute(
            """
            UPDATE messages SET status = 'queued', status_rank = 0, lease_owner = NULL, lease_until = NULL,
                next_attempt_at = now(), first_attempt_at = CASE WHEN send_uncertain THEN first_attempt_at END
            WHERE id = ANY(string_to_array(\(jobs.map(\.id).joined(separator: ",")), ',')::uuid[])
                AND lease_owner = \(owner) AND status = 'sending' AND lease_until > now()
            """)
    }

    /// Puts every `sending` job whose lease ran out back to `queued`, marked uncertain (its worker may have
    /// reached Twilio before it died or lost the database); returns the restaurants concerned.
    public func reapExpiredLeases() async throws -> [String] {
        let rows = try await client.query(
            """
            UPDATE messages SET status = 'queued', status_rank = 0, lease_owner = NULL, lease_until = NULL,
                next_attempt_at = now(), send_uncertain = true
            WHERE status = 'sending' AND lease_until < now()
            RETURNING restaurant_id::text AS restaurant_id
            """)
        return Array(Set(try rows.map { try $0.decode("restaurant_id", as: String.self) }))
    }

    /// Active restaurants with at least one due job (the fallback poll).
    public func restaurantsWithDueJobs() async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT r.id::text AS id FROM restaurants r
            WHERE r.status = 'active' AND EXISTS (
                SELECT 1 FROM messages m WHERE m.restaurant_id = r.id AND m.direction = 'outbound'
                    AND m.status = 'queued' AND m.next_attempt_at <= now())
            """)
        return try rows.map { try $0.decode("id", as: String.self) }
    }

    static func message(_ row: PGRow) throws -> MessageRecord {
        MessageRecord(
            id: try row.decode("id", as: String.self),
            conversationId: try row.decode("conversation_id", as: String.self),
            direction: try row.decode("direction", as: String.self), body: try row.decode("body", as: String?.self),
            contentSid: try row.decode("content_sid", as: String?.self), sid: try row.decode("sid", as: String?.self),
            status: try row.decode("status", as: String.self),
            errorCode: try row.decode("error_code", as: String?.self),
            attempts: try row.decode("attempts", as: Int.self),
            lastError: try row.decode("last_error", as: String?.self),
            createdAt: try row.decode("created_iso", as: String.self))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}

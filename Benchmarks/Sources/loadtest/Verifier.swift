import Infra
import Logging
import Server
import SufraDev

/// Checks the run's ledgers against the database (and the sandbox): every acknowledged message stored once and
/// handled, every one answered with exactly the prescribed replies, every confirmed conversation an order.
struct Verifier: Sendable {
    /// The run's database.
    var databaseURL: String
    /// The replies, when watched.
    var inbox: ReplyInbox
    /// Whether an outbound sender runs (then queued replies must drain to the sandbox).
    var expectSending: Bool
    var logger: Logger

    /// Wall-clock times (seconds since 1970) of kills of a sending process, for the duplicate window.
    var senderKills: [Double] = []

    /// Waits (up to `settle`) for the bot and the sender to finish, then compares.
    func verify(_ ledgers: [CustomerLedger], settle: Duration = .seconds(60)) async throws -> Verification {
        try await withPostgres(url: databaseURL, logger: logger) { client in
            var result = Verification()
            let deadline = ContinuousClock.now + settle
            while true {
                let pending = try await client.query(
                    """
                    SELECT count(*) FILTER (WHERE direction = 'inbound' AND handled_at IS NULL) AS unhandled,
                           count(*) FILTER (WHERE direction = 'outbound' AND status IN ('queued', 'sending')) AS queued
                    FROM messages
                    """
                ).single()
                result.unhandledMessages = Int(try pending.decode("unhandled", as: Int64.self))
                result.outboundPending = Int(try pending.decode("queued", as: Int64.self))
                let settled = result.unhandledMessages == 0 && (!expectSending || result.outboundPending == 0)
                if settled || ContinuousClock.now >= deadline { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            var stored: [String: (inbound: Int, outbound: Int)] = [:]
            for row in try await client.query(
                """
                SELECT c.customer, count(*) FILTER (WHERE m.direction = 'inbound') AS inbound,
                       count(*) FILTER (WHERE m.direction = 'outbound') AS outbound
                FROM conversations c JOIN messages m ON m.conversation_id = c.id GROUP BY c.customer
                """)
            {
                stored[try row.decode("customer", as: String.self)] = (
                    Int(try row.decode("inbound", as: Int64.self)), Int(try row.decode("outbound", as: Int64.self))
                )
            }
            var orders: [String: (confirmed: Int, rated: Int)] = [:]
            for row in try await client.query(
                """
                SELECT customer, count(*) AS n, count(*) FILTER (WHERE status = 'RATED') AS rated FROM orders
                WHERE status IN ('CONFIRMED', 'PREPARING', 'OUT_FOR_DELIVERY', 'DELIVERED', 'RATED')
                GROUP BY customer
                """)
            {
                orders[try row.decode("customer", as: String.self)] = (
                    Int(try row.decode("n", as: Int64.self)), Int(try row.decode("rated", as: Int64.self))
                )
            }
            result.checkedSandbox = inbox.isWatching && expectSending
            try await checkSids(ledgers, client: client, into: &result)
            if result.checkedSandbox, let sandbox = inbox.sandbox {
                result.delivery = try await audit(accepted: sandbox.messages(), client: client)
            }
            for ledger in ledgers {
                result.customers += 1
                let counts = stored[ledger.phone] ?? (0, 0)
                result.lostMessages += max(0, ledger.acknowledged - counts.inbound)
                // A message given up without any answer may have been stored: it is neither lost nor extra.
                result.extraMessages += max(0, counts.inbound - ledger.acknowledged - ledger.uncertain)
                result.uncertainMessages += ledger.uncertain
                let prescribed = counts.inbound * ConversationScript.repliesPerMessage + ledger.extraReplies
                result.missingReplies += max(0, prescribed - counts.outbound)
                result.extraReplies += max(0, counts.outbound - prescribed)
                let stored = orders[ledger.phone] ?? (0, 0)
                result.missingOrders += max(0, ledger.ordersConfirmed - stored.confirmed)
                result.extraOrders += max(0, stored.confirmed - ledger.ordersConfirmed)
                result.ratedOrders += stored.rated
                result.missingRatings += max(0, ledger.ordersRated - stored.rated)
                result.extraRatings += max(0, stored.rated - ledger.ordersRated)
                if result.checkedSandbox {
                    let received = inbox.received(by: ledger.phone)
                    result.sandboxMissing += max(0, prescribed - received)
                    result.sandboxExtra += max(0, received - prescribed)
                }
            }
            return result
        }
    }

    /// Every acknowledged MessageSid stored once and handled; no MessageSid given up after refusals only stored.
    private func checkSids(_ ledgers: [CustomerLedger], client: PGPool, into result: inout Verification) async throws {
        var inbound: [String: Bool] = [:]
        for row in try await client.query(
            "SELECT sid, handled_at IS NOT NULL AS handled FROM messages WHERE direction = 'inbound' AND sid IS NOT NULL"
        ) {
            inbound[try row.decode("sid", as: String.self)] = try row.decode("handled", as: Bool.self)
        }
        for ledger in ledgers {
            for sid in ledger.acknowledgedSids {
                switch inbound[sid] {
                case nil: result.acknowledgedNotStored += 1
                case false?: result.acknowledgedUnhandled += 1
                case true?: break
                }
            }
            result.refusedButStored += ledger.refusedSids.filter { inbound[$0] != nil }.count
            result.uncertainStored += ledger.uncertainSids.filter { inbound[$0] != nil }.count
        }
    }

    /// Matches the sandbox's record against the outbound rows (``DeliveryAudit``).
    private func audit(accepted: [SandboxMessage], client: PGPool) async throws -> DeliveryAudit.Findings {
        var rows: [DeliveryAudit.Row] = []
        for row in try await client.query(
            """
            SELECT c.customer, coalesce(m.body, m.content_sid, '') AS text, m.sid, m.status,
                   extract(epoch FROM m.sent_at)::float8 AS sent_at
            FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.direction = 'outbound'
            """)
        {
            rows.append(
                DeliveryAudit.Row(
                    customer: try row.decode("customer", as: String.self),
                    text: try row.decode("text", as: String.self),
                    sid: try row.decode("sid", as: String?.self), status: try row.decode("status", as: String.self),
                    sentAt: try row.decode("sent_at", as: Double?.self)))
        }
        return DeliveryAudit(rows: rows, accepted: accepted, senderKills: senderKills).findings()
    }
}

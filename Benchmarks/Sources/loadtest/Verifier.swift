import Infra
import Logging
import Server

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
}

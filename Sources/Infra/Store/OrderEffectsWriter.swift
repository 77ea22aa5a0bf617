import Actors
import Foundation

/// A bot step's order effects as statements for one pipeline inside the step's transaction, and what their answers
/// mean: which orders the step touched (for `order.updated` events) and the number a confirmation assigned.
///
/// No statement needs an earlier one's answer: "the conversation's draft" is looked up inside each statement (the
/// latest `DRAFT` of the conversation, which the statements before it in the same transaction may just have
/// created, confirmed or cancelled), and each change returns the order as it now stands. So every effect of every
/// applied step in a batch goes to PostgreSQL in **one** round trip (it was one per statement: five for a step that
/// sets a cart's lines, and most batches carry a few such steps).
struct OrderEffectsWriter {
    /// Thrown when a step confirms an order without a number allocated for it (a programming error).
    struct MissingOrderNumber: Error {}

    /// What the effects did, read from their statements' answers.
    struct Outcome {
        /// Every order the step changed, as it stands after the step (latest state wins), in first-touch order.
        var touched: [OrderSnapshot] = []
        /// The number given to the order the step confirmed, if it confirmed one.
        var confirmedNumber: Int?
    }

    /// How one statement's answer is read.
    private enum Reading {
        /// Nothing to read.
        case nothing
        /// The order it changed, if it changed one (no draft: no row).
        case touched
        /// The order it confirmed under this number, if there was a draft to confirm.
        case confirmed(Int)
        /// The order it moved; none means the order was no longer where the step expected it.
        case moved
    }

    /// The columns every change returns: an ``OrderSnapshot``.
    private static let snapshot = "RETURNING id, number, type, status, total"

    let step: BotStep
    /// The number for the order this step confirms, if it confirms one (allocated before the transaction, see
    /// ``OrderNumberAllocator``).
    let orderNumber: Int?
    /// True when a confirmation must find its draft: the batch written in one round trip renders the confirmation's
    /// reply with ``orderNumber`` in advance, so a missing draft fails the statement (`SUF01`) instead of leaving the
    /// order unnumbered.
    let requiringDraft: Bool
    /// The statements, in effect order.
    private(set) var queries: [PGQuery] = []
    private var readings: [Reading] = []

    /// The statements of every effect of `step`.
    init(step: BotStep, orderNumber: Int?, requiringDraft: Bool = false) throws {
        self.step = step
        self.orderNumber = orderNumber
        self.requiringDraft = requiringDraft
        for effect in step.effects { try add(effect) }
    }

    /// Runs the statements as one pipeline on `connection` (inside the caller's transaction) and reads them.
    func apply(on connection: PGConnection) async throws -> Outcome {
        guard !queries.isEmpty else { return Outcome() }
        return try outcome(of: try await connection.pipeline(queries)[...])
    }

    /// Reads the answers to ``queries``, in order. Throws ``BotStepWriter/Abort/orderChanged`` when a staff move
    /// found its order no longer in the expected status.
    func outcome(of results: ArraySlice<PGRows>) throws -> Outcome {
        var outcome = Outcome()
        for (reading, rows) in zip(readings, results) {
            switch reading {
            case .nothing:
                continue
            case .touched:
                if let row = rows.first { try Self.record(row, in: &outcome) }
            case .confirmed(let number):
                guard let row = rows.first else { continue }
                try Self.record(row, in: &outcome)
                outcome.confirmedNumber = number
            case .moved:
                guard let row = rows.first else { throw BotStepWriter.Abort.orderChanged }
                try Self.record(row, in: &outcome)
            }
        }
        return outcome
    }

    private mutating func add(_ effect: OrderEffect) throws {
        let conversation = step.conversationId
        switch effect {
        case .createDraft(let type):
            // At most one draft per conversation: an older one left behind is cancelled.
            add(
                """
                UPDATE orders SET status = 'CANCELLED', updated_at = now()
                WHERE conversation_id = \(conversation)::uuid AND status = 'DRAFT'
                """, .nothing)
            add(
                """
                INSERT INTO orders (restaurant_id, conversation_id, customer, type, status)
                VALUES (\(step.key.restaurantId)::uuid, \(conversation)::uuid, \(step.key.customer),
                        \(type.rawValue), 'DRAFT')
                \(unescaped: Self.snapshot)
                """, .touched)
        case .setLocation(let location):
            let json = String(decoding: try JSONEncoder().encode(location), as: UTF8.self)
            add(updateDraft(set: "location = $1::jsonb", [json], returning: false), .nothing)
        case .setLines(let lines):
            try addLines(lines)
        case .confirm:
            guard let number = orderNumber else { throw MissingOrderNumber() }
            guard requiringDraft else {
                add(updateDraft(set: "status = 'CONFIRMED', number = $1", [number]), .confirmed(number))
                return
            }
            // The check is the outer side of the join, so it runs even when the update changed nothing.
            add(
                PGQuery(
                    unsafeSQL: """
                        WITH confirmed AS (
                            UPDATE orders SET status = 'CONFIRMED', number = $1, updated_at = now()
                            WHERE id = (\(Self.draft(parameter: 2))) \(Self.snapshot)
                        )
                        SELECT c.* FROM (
                            SELECT sufra_expect(count(*) = 1, 'the draft to confirm is gone') AS ok FROM confirmed
                        ) AS checked CROSS JOIN LATERAL (SELECT * FROM confirmed WHERE checked.ok) AS c
                        """, [number, step.conversationId]), .confirmed(number))
        case .cancelDraft:
            add(updateDraft(set: "status = $1", [OrderStatus.cancelled.rawValue]), .touched)
        case .rate(let orderId, let rating):
            add(
                """
                UPDATE orders SET rating = \(rating), status = 'RATED', updated_at = now()
                WHERE id = \(orderId)::uuid AND conversation_id = \(conversation)::uuid AND status = 'DELIVERED'
                \(unescaped: Self.snapshot)
                """, .touched)
        case .transition(let orderId, let from, let to):
            add(
                """
                UPDATE orders SET status = \(to.rawValue), updated_at = now()
                WHERE id = \(orderId)::uuid AND conversation_id = \(conversation)::uuid AND status = \(from.rawValue)
                \(unescaped: Self.snapshot)
                """, .moved)
        }
    }

    /// The draft's lines replaced and its total set: three statements, which change nothing without a draft.
    private mutating func addLines(_ lines: [OrderLine]) throws {
        let conversation = step.conversationId
        add(
            PGQuery(
                unsafeSQL: "DELETE FROM order_items WHERE order_id = (\(Self.draft(parameter: 1)))",
                [conversation]), .nothing)
        if !lines.isEmpty {
            var columns = SQLArrayColumns(
                types: [.uuid, .int, .uuid, .text, .int, .bigint, .bigint], rows: lines.count)
            for (position, line) in lines.enumerated() {
                try columns.append([
                    conversation, String(position), line.menuItemId, line.name, String(line.quantity),
                    String(line.unitPrice), String(line.lineTotal),
                ])
            }
            add(
                columns.query(
                    """
                    INSERT INTO order_items (order_id, position, menu_item_id, name, quantity, unit_price, line_total)
                    SELECT d.id, v.p, v.m, v.n, v.q, v.u, v.t FROM
                    """,
                    """
                    AS v(c, p, m, n, q, u, t) CROSS JOIN LATERAL (
                        SELECT id FROM orders WHERE conversation_id = v.c AND status = 'DRAFT'
                        ORDER BY created_at DESC LIMIT 1
                    ) AS d
                    """),
                .nothing)
        }
        let total = lines.reduce(Int64(0)) { $0 + $1.lineTotal }
        add(updateDraft(set: "total = $1", [total]), .touched)
    }

    private mutating func add(_ query: PGQuery, _ reading: Reading) {
        queries.append(query)
        readings.append(reading)
    }

    /// `UPDATE orders SET <assignment>` on the conversation's draft (nothing without one), `values` bound as `$1…`.
    private func updateDraft(
        set assignment: String, _ values: [(any PGEncodable)?], returning: Bool = true
    ) -> PGQuery {
        PGQuery(
            unsafeSQL: """
                UPDATE orders SET \(assignment), updated_at = now()
                WHERE id = (\(Self.draft(parameter: values.count + 1))) \(returning ? Self.snapshot : "")
                """, values + [step.conversationId])
    }

    /// The conversation's draft (its latest `DRAFT` order), the conversation id bound as `$parameter`.
    private static func draft(parameter: Int) -> String {
        """
        SELECT id FROM orders WHERE conversation_id = $\(parameter)::uuid AND status = 'DRAFT'
        ORDER BY created_at DESC LIMIT 1
        """
    }

    /// Remembers the order in `row` as touched (latest state wins).
    private static func record(_ row: PGRow, in outcome: inout Outcome) throws {
        let snapshot = OrderSnapshot(
            id: try row.decodeID("id"), number: try row.decode("number", as: Int?.self) ?? 0,
            type: OrderType(rawValue: try row.decode("type", as: String.self)) ?? .delivery,
            status: OrderStatus(rawValue: try row.decode("status", as: String.self)) ?? .draft,
            total: try row.decode("total", as: Int64.self))
        if let index = outcome.touched.firstIndex(where: { $0.id == snapshot.id }) {
            outcome.touched[index] = snapshot
        } else {
            outcome.touched.append(snapshot)
        }
    }
}

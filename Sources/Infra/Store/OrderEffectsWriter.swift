import Actors
import Foundation

/// Applies a bot step's order effects to the conversation's orders inside the step's transaction, remembering
/// which orders it touched (for `order.updated` events) and the number a confirmation assigned.
struct OrderEffectsWriter {
    /// Thrown when a step confirms an order without a number allocated for it (a programming error).
    struct MissingOrderNumber: Error {}

    let step: BotStep
    let connection: PGConnection
    /// The number a `.confirm` gives its order (allocated before the transaction, see ``OrderNumberAllocator``).
    let orderNumber: Int?
    private(set) var touched: [OrderSnapshot] = []
    private(set) var confirmedNumber: Int?
    private var draftId: String?

    init(step: BotStep, connection: PGConnection, orderNumber: Int?) {
        self.step = step
        self.connection = connection
        self.orderNumber = orderNumber
    }

    mutating func apply(_ effect: OrderEffect) async throws {
        switch effect {
        case .createDraft(let type):
            // At most one draft per conversation: an older one left behind is cancelled.
            _ = try await connection.execute(
                """
                UPDATE orders SET status = 'CANCELLED', updated_at = now()
                WHERE conversation_id = \(step.conversationId)::uuid AND status = 'DRAFT'
                """)
            let rows = try await connection.query(
                """
                INSERT INTO orders (restaurant_id, conversation_id, customer, type, status)
                VALUES (\(step.key.restaurantId)::uuid, \(step.conversationId)::uuid, \(step.key.customer),
                        \(type.rawValue), 'DRAFT')
                RETURNING id
                """)
            draftId = try rows.single().decodeID("id")
            try await record(draftId)
        case .setLocation(let location):
            guard let id = try await draft() else { return }
            let json = String(decoding: try JSONEncoder().encode(location), as: UTF8.self)
            _ = try await connection.execute(
                "UPDATE orders SET location = \(json)::jsonb, updated_at = now() WHERE id = \(id)::uuid")
        case .setLines(let lines):
            guard let id = try await draft() else { return }
            try await replaceLines(lines, of: id)
            try await record(id)
        case .confirm:
            guard let id = try await draft() else { return }
            guard let number = orderNumber else { throw MissingOrderNumber() }
            _ = try await connection.execute(
                """
                UPDATE orders SET status = 'CONFIRMED', number = \(number), updated_at = now()
                WHERE id = \(id)::uuid
                """)
            confirmedNumber = number
            draftId = nil
            try await record(id)
        case .cancelDraft:
            guard let id = try await draft() else { return }
            _ = try await connection.execute(
                "UPDATE orders SET status = 'CANCELLED', updated_at = now() WHERE id = \(id)::uuid")
            draftId = nil
            try await record(id)
        case .rate(let orderId, let rating):
            let changed = try await connection.execute(
                """
                UPDATE orders SET rating = \(rating), status = 'RATED', updated_at = now()
                WHERE id = \(orderId)::uuid AND conversation_id = \(step.conversationId)::uuid
                  AND status = 'DELIVERED'
                """)
            if changed == 1 { try await record(orderId) }
        case .transition(let orderId, let from, let to):
            let changed = try await connection.execute(
                """
                UPDATE orders SET status = \(to.rawValue), updated_at = now()
                WHERE id = \(orderId)::uuid AND conversation_id = \(step.conversationId)::uuid
                  AND status = \(from.rawValue)
                """)
            guard changed == 1 else { throw BotStepWriter.Abort.orderChanged }
            try await record(orderId)
        }
    }

    /// The conversation's open draft, locked for this transaction.
    private mutating func draft() async throws -> String? {
        if let draftId { return draftId }
        let rows = try await connection.query(
            """
            SELECT id FROM orders WHERE conversation_id = \(step.conversationId)::uuid AND status = 'DRAFT'
            ORDER BY created_at DESC LIMIT 1 FOR UPDATE
            """)
        draftId = try rows.first?.decodeID("id")
        return draftId
    }

    private func replaceLines(_ lines: [OrderLine], of orderId: String) async throws {
        _ = try await connection.execute("DELETE FROM order_items WHERE order_id = \(orderId)::uuid")
        if !lines.isEmpty {
            var values = SQLValuesBuilder(casts: ["uuid", "int", "uuid", "text", "int", "bigint", "bigint"])
            for (position, line) in lines.enumerated() {
                values.append([
                    orderId, position, line.menuItemId, line.name, line.quantity, line.unitPrice, line.lineTotal,
                ])
            }
            _ = try await connection.execute(
                values.query(
                    prefix: """
                        INSERT INTO order_items (order_id, position, menu_item_id, name, quantity, unit_price,
                            line_total) VALUES
                        """))
        }
        let total = lines.reduce(Int64(0)) { $0 + $1.lineTotal }
        _ = try await connection.execute(
            "UPDATE orders SET total = \(total), updated_at = now() WHERE id = \(orderId)::uuid")
    }

    /// Reads the order back and remembers it as touched (latest state wins).
    private mutating func record(_ orderId: String?) async throws {
        guard let orderId else { return }
        let row = try await connection.query(
            "SELECT id, number, type, status, total FROM orders WHERE id = \(orderId)::uuid"
        ).single()
        let snapshot = OrderSnapshot(
            id: orderId, number: try row.decode("number", as: Int?.self) ?? 0,
            type: OrderType(rawValue: try row.decode("type", as: String.self)) ?? .delivery,
            status: OrderStatus(rawValue: try row.decode("status", as: String.self)) ?? .draft,
            total: try row.decode("total", as: Int64.self))
        touched.removeAll { $0.id == orderId }
        touched.append(snapshot)
    }
}

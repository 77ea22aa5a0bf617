import Actors
import Foundation
import Logging
import Metrics
import Synchronization

/// ``ConversationStore`` on PostgreSQL: each bot step is one transaction that marks the inbound message
/// handled (only if it was not), moves the conversation's versioned state (only if the version is the one read),
/// applies the order effects and queues the replies as outbound messages (docs/invariants.md 2). After the commit, the
/// `notifier` announces the queued replies to the senders.
public struct PostgresConversationStore: ConversationStore {
    private let client: PGPool
    private let notifier: OutboundNotifier?
    private let menus: MenuCache
    private let unreadable: UnreadableStateCount
    private let logger: Logger

    /// Counter: conversations whose stored `bot_state` could not be read.
    public static let unreadableMetric = "sufra_bot_states_unreadable_total"

    /// Creates the store; menus are cached for `menuTTL` (``invalidateMenu(restaurantId:)`` drops one early).
    /// Without a `notifier`, senders find queued replies by their poll only. `metrics` creates the
    /// ``unreadableMetric`` counter.
    public init(
        client: PGPool, notifier: OutboundNotifier?, menuTTL: Duration = .seconds(5),
        logger: Logger = Logger(label: "sufra.conversation-store"), metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.unreadable = UnreadableStateCount(counter: Counter(label: Self.unreadableMetric, factory: metrics))
        self.client = client
        self.notifier = notifier
        self.menus = MenuCache(ttl: menuTTL)
        self.logger = logger
    }

    /// Conversations whose stored `bot_state` could not be read (each restarted from the initial state, logged
    /// at error level): the `sufra_bot_states_unreadable_total` counter.
    public var unreadableBotStates: Int { unreadable.value.load(ordering: .relaxed) }

    /// Forgets a restaurant's cached menu (after `PUT /api/menu`).
    public func invalidateMenu(restaurantId: String) {
        menus.invalidate(restaurantId)
    }

    public func loadConversation(_ key: ConversationKey) async throws -> ConversationRecord? {
        let rows = try await client.query(
            """
            SELECT c.id, c.language, c.bot_state::text AS bot_state, c.version,
                   (extract(epoch FROM c.human_until - now()) * 1000)::bigint AS human_ms_left,
                   o.id AS order_id, o.number, o.type, o.status, o.total
            FROM conversations c
            LEFT JOIN LATERAL (
                SELECT id, number, type, status, total FROM orders
                WHERE conversation_id = c.id AND status <> 'DRAFT' ORDER BY created_at DESC, id DESC LIMIT 1
            ) o ON true
            WHERE c.restaurant_id = \(key.restaurantId)::uuid AND c.customer = \(key.customer)
            """)
        guard let row = rows.first else { return nil }
        let conversationId = try row.decodeID("id")
        let stored =
            (try? JSONDecoder().decode(
                BotState.Stored.self, from: Data(try row.decode("bot_state", as: String.self).utf8))) ?? .unreadable
        if stored == .unreadable {
            unreadable.value.add(1, ordering: .relaxed)
            unreadable.counter.increment()
            logger.error(
                "unreadable bot_state: the conversation restarts from the initial state",
                metadata: ["restaurant": "\(key.restaurantId)", "conversation": "\(conversationId)"])
        }
        var latest: OrderSnapshot?
        if let orderId = try row.decode("order_id", as: UUID?.self) {
            latest = OrderSnapshot(
                id: orderId.uuidString.lowercased(), number: try row.decode("number", as: Int?.self) ?? 0,
                type: OrderType(rawValue: try row.decode("type", as: String.self)) ?? .delivery,
                status: OrderStatus(rawValue: try row.decode("status", as: String.self)) ?? .confirmed,
                total: try row.decode("total", as: Int64.self))
        }
        return ConversationRecord(
            id: conversationId,
            language: try row.decode("language", as: String?.self).flatMap(Language.init(rawValue:)),
            state: stored.state,
            version: try row.decode("version", as: Int64.self), latestOrder: latest,
            staffAnswerUntil: try row.decode("human_ms_left", as: Int64?.self).map { .now + .milliseconds($0) })
    }

    public func menu(restaurantId: String) async throws -> [MenuItem] {
        if let cached = menus.menu(restaurantId) { return cached }
        let rows = try await client.query(
            """
            SELECT id, name_ar, name_en, price, available FROM menu_items
            WHERE restaurant_id = \(restaurantId)::uuid ORDER BY position, created_at
            """)
        let items = try rows.map { row in
            MenuItem(
                id: try row.decodeID("id"),
                nameAr: try row.decode("name_ar", as: String.self), nameEn: try row.decode("name_en", as: String.self),
                price: try row.decode("price", as: Int64.self), available: try row.decode("available", as: Bool.self))
        }
        menus.store(items, for: restaurantId)
        return items
    }

    public func inboundMessage(id: String) async throws -> StoredInbound? {
        let rows = try await client.query(
            """
            SELECT body, params::text AS params, handled_at IS NOT NULL AS handled FROM messages
            WHERE id = \(id)::uuid AND direction = 'inbound'
            """)
        guard let row = rows.first else { return nil }
        let params =
            (try? JSONSerialization.jsonObject(with: Data((try row.decode("params", as: String?.self) ?? "{}").utf8)))
            as? [String: Any] ?? [:]
        func parameter(_ name: String) -> String? {
            if let value = params[name] as? String { return value }
            return (params[name] as? [String])?.first
        }
        let content = InboundContent(
            body: try row.decode("body", as: String?.self) ?? "", buttonPayload: parameter("ButtonPayload"),
            latitude: parameter("Latitude").flatMap(Double.init),
            longitude: parameter("Longitude").flatMap(Double.init),
            address: parameter("Address"))
        return StoredInbound(content: content, handled: try row.decode("handled", as: Bool.self))
    }

    public func commit(_ step: BotStep) async throws -> BotStepResult {
        // A deadlock or serialization failure rolled everything back: the same step can simply run again.
        var attempt = 1
        while true {
            do {
                return try await commitOnce(step)
            } catch let error as PGError where error.isRetryableTransactionFailure && attempt < 3 {
                attempt += 1
            }
        }
    }

    private func commitOnce(_ step: BotStep) async throws -> BotStepResult {
        do {
            var writer = BotStepWriter(step: step)
            if step.effects.contains(.confirm) {
                writer.orderNumber = try await OrderNumberAllocator(client: client).next(
                    restaurantId: step.key.restaurantId)
            }
            let result = try await client.withTransaction { [writer] connection in
                try await writer.write(on: connection)
            }
            if case .committed(_, let queued, _) = result, !queued.isEmpty {
                notifier?.queued(restaurantId: step.key.restaurantId)
            }
            return result
        } catch let abort as BotStepWriter.Abort {
            switch abort {
            case .alreadyHandled: return .alreadyHandled
            case .versionConflict: return .versionConflict
            case .orderChanged: return .orderChanged
            }
        }
    }

    public func order(id: String, conversationId: String) async throws -> OrderSnapshot? {
        guard UUID(uuidString: id) != nil else { return nil }
        let rows = try await client.query(
            """
            SELECT number, type, status, total FROM orders
            WHERE id = \(id)::uuid AND conversation_id = \(conversationId)::uuid
            """)
        guard let row = rows.first else { return nil }
        return OrderSnapshot(
            id: id.lowercased(), number: try row.decode("number", as: Int?.self) ?? 0,
            type: OrderType(rawValue: try row.decode("type", as: String.self)) ?? .delivery,
            status: OrderStatus(rawValue: try row.decode("status", as: String.self)) ?? .draft,
            total: try row.decode("total", as: Int64.self))
    }

    public func unhandledInbound(olderThanSeconds seconds: Int, limit: Int) async throws -> [UnhandledInbound] {
        let rows = try await client.query(
            """
            SELECT m.id, m.restaurant_id, c.customer FROM messages m JOIN conversations c ON c.id = m.conversation_id
            WHERE m.direction = 'inbound' AND m.handled_at IS NULL
              AND m.created_at < now() - make_interval(secs => \(seconds))
            ORDER BY m.created_at LIMIT \(limit)
            """)
        return try rows.map { row in
            UnhandledInbound(
                key: ConversationKey(
                    restaurantId: try row.decodeID("restaurant_id"),
                    customer: try row.decode("customer", as: String.self)),
                messageId: try row.decodeID("id"))
        }
    }
}

/// The count behind ``PostgresConversationStore/unreadableBotStates`` (a class: the store is a copied value).
private final class UnreadableStateCount: Sendable {
    let value = Atomic<Int>(0)
    let counter: Counter

    init(counter: Counter) { self.counter = counter }
}

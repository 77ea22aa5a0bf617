import Foundation

extension StaffStore {
    /// Why a menu was refused.
    public struct MenuError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The restaurant's menu in position order.
    public func menu(restaurantId: String) async throws -> [MenuItemRecord] {
        guard Self.isID(restaurantId) else { return [] }
        return try await RestaurantRepository(client: client).menu(restaurantId: restaurantId)
    }

    /// Replaces the restaurant's menu; an item carrying an id keeps it, which must be one of this restaurant's
    /// items (another restaurant's id is refused with ``MenuError``). Every instance drops its cached menu
    /// (the change is announced on ``RestaurantRepository/changesChannel``).
    public func replaceMenu(restaurantId: String, items: [MenuItemRecord]) async throws -> [MenuItemRecord] {
        guard Self.isID(restaurantId) else { throw MenuError(description: "unknown restaurant") }
        var seen: Set<String> = []
        for item in items {
            guard let id = item.id else { continue }
            guard let uuid = UUID(uuidString: id) else { throw MenuError(description: "item id '\(id)' is not a uuid") }
            guard seen.insert(uuid.uuidString.lowercased()).inserted else {
                throw MenuError(description: "item id '\(id)' appears twice")
            }
        }
        return try await client.withTransaction { connection in
            let rows = try await connection.query(
                "SELECT id::text AS id FROM menu_items WHERE restaurant_id = \(restaurantId)::uuid FOR UPDATE")
            let own = Set(try rows.map { try $0.decode("id", as: String.self) })
            if let foreign = seen.first(where: { !own.contains($0) }) {
                throw MenuError(description: "item id '\(foreign)' is not on this menu")
            }
            return try await RestaurantRepository.replaceMenu(restaurantId: restaurantId, items: items, on: connection)
        }
    }
}

extension StaffStore {
    /// Marks one of the restaurant's items available or sold out; nil when the item is not on its menu. Every
    /// instance drops its cached menu (announced on ``RestaurantRepository/changesChannel``), so the bot's
    /// numbering follows at once.
    public func setAvailable(restaurantId: String, itemId: String, available: Bool) async throws -> MenuItemRecord? {
        guard Self.isID(restaurantId), Self.isID(itemId) else { return nil }
        return try await client.withTransaction { connection in
            let rows = try await connection.query(
                """
                UPDATE menu_items SET available = \(available), updated_at = now()
                WHERE id = \(itemId)::uuid AND restaurant_id = \(restaurantId)::uuid
                RETURNING id::text AS id, name_ar, name_en, price, available
                """)
            guard let row = rows.first else { return nil }
            _ = try await connection.execute(
                "SELECT pg_notify(\(RestaurantRepository.changesChannel), \("menu:" + restaurantId))")
            return try RestaurantRepository.menuItem(row)
        }
    }
}

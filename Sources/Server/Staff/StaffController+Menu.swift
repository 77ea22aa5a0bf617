import Hummingbird
import Infra

extension StaffController {
    private struct MenuBody: Decodable {
        let items: [MenuItemRecord]
    }

    func menu(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        return try JSONBody.response(Page(items: try await store.menu(restaurantId: staff.restaurantId), next: nil))
    }

    /// `PUT /api/menu` (role admin): replaces the menu; items carrying one of this menu's ids keep it.
    func replaceMenu(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        guard staff.role == .admin else { throw APIError(.forbidden, "changing the menu needs the admin role") }
        let items = try await JSONBody.decode(MenuBody.self, from: request).items
        for (index, item) in items.enumerated() {
            guard !item.name.ar.isEmpty, !item.name.en.isEmpty else {
                throw APIError.badRequest("items.\(index): name.ar and name.en must not be empty")
            }
            guard item.price >= 0 else { throw APIError.badRequest("items.\(index): price must not be negative") }
        }
        let saved: [MenuItemRecord]
        do {
            saved = try await store.replaceMenu(restaurantId: staff.restaurantId, items: items)
        } catch let error as StaffStore.MenuError {
            throw APIError.badRequest(error.description)
        }
        invalidateMenu(staff.restaurantId)
        return try JSONBody.response(Page(items: saved, next: nil))
    }
}

extension StaffController {
    private struct AvailabilityBody: Decodable {
        let available: Bool
    }

    /// `PATCH /api/menu/items/{itemId}` `{ "available": bool }` (staff or admin): sold out or back; the bot's
    /// numbering follows at once (only available items are numbered).
    func setAvailability(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        let available = try await JSONBody.decode(AvailabilityBody.self, from: request).available
        guard
            let item = try await store.setAvailable(
                restaurantId: staff.restaurantId, itemId: try context.parameters.require("itemId"),
                available: available)
        else { throw APIError.notFound("menu item not found") }
        invalidateMenu(staff.restaurantId)
        return try JSONBody.response(item)
    }
}

import Foundation
import Hummingbird
import Infra

/// The admin routes of a restaurant's dashboard accounts (docs/dashboard.md), behind `ADMIN_TOKEN`:
/// `POST/GET /admin/restaurants/{id}/users`, `DELETE /admin/users/{userId}`.
struct UserAdminController: Sendable {
    let adminToken: String
    let users: UserStore

    func addRoutes(to router: Router<some RequestContext>) {
        let group = router.group("admin").add(middleware: BearerTokenMiddleware(token: adminToken))
        group.post("restaurants/:id/users") { request, context in
            try await create(restaurantId: try Self.id(context), request)
        }
        group.get("restaurants/:id/users") { request, context in
            try await list(restaurantId: try Self.id(context), request)
        }
        group.delete("users/:id") { _, context in try await delete(userId: try Self.id(context)) }
    }

    private static func id(_ context: some RequestContext) throws -> String {
        guard let id = context.parameters.get("id"), UUID(uuidString: id) != nil else { throw APIError.notFound() }
        return id.lowercased()
    }

    private func create(restaurantId: String, _ request: Request) async throws -> Response {
        let input = try await JSONBody.decode(UserInput.self, from: request)
        let valid = try input.validated()
        let hash = try await PasswordHasher.make(input.password)
        do {
            let user = try await users.create(
                restaurantId: restaurantId, email: valid.email, name: valid.name, role: valid.role, passwordHash: hash)
            return try JSONBody.response(user, status: .created)
        } catch UserStore.CreateError.duplicateEmail {
            throw APIError(.conflict, "this restaurant already has a user with that email")
        } catch UserStore.CreateError.unknownRestaurant {
            throw APIError.notFound("no such restaurant")
        }
    }

    private func delete(userId: String) async throws -> Response {
        guard try await users.delete(id: userId) else { throw APIError.notFound("no such user") }
        return Response(status: .noContent)
    }

    private func list(restaurantId: String, _ request: Request) async throws -> Response {
        let (limit, cursor) = try Paging.parse(request)
        guard let page = try await users.list(restaurantId: restaurantId, limit: limit, before: cursor) else {
            throw APIError.notFound("no such restaurant")
        }
        return try JSONBody.response(page)
    }
}

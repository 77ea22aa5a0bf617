import Foundation
import HTTPTypes
import Hummingbird
import Infra

/// The admin API of docs/http-api.md, behind `Authorization: Bearer $ADMIN_TOKEN` (compared in constant time).
/// Without `ADMIN_TOKEN` these routes are not registered at all (404).
struct AdminController: Sendable {
    let adminToken: String
    let repository: RestaurantRepository
    let secrets: SecretBox
    let directory: TenantDirectorySync

    func addRoutes(to router: Router<some RequestContext>) {
        let group = router.group("admin").add(middleware: BearerTokenMiddleware(token: adminToken))
        group.post("restaurants") { request, _ in try await create(request) }
        group.get("restaurants") { request, _ in try await list(request) }
        group.get("restaurants/:id") { _, context in try await show(try id(context)) }
        group.patch("restaurants/:id") { request, context in try await patch(try id(context), request) }
        group.delete("restaurants/:id") { _, context in try await delete(try id(context)) }
        group.post("restaurants/:id/pause") { _, context in
            try await setStatus(try id(context), status: "paused", reason: "paused by an operator")
        }
        group.post("restaurants/:id/resume") { _, context in
            try await setStatus(try id(context), status: "active", reason: nil)
        }
    }

    private func id(_ context: some RequestContext) throws -> String {
        guard let id = context.parameters.get("id"), UUID(uuidString: id) != nil else { throw APIError.notFound() }
        return id.lowercased()
    }

    private func create(_ request: Request) async throws -> Response {
        let input = try await JSONBody.decode(RestaurantInput.self, from: request)
        let (fields, token) = try input.creationFields()
        let id = UUID().uuidString.lowercased()
        let sealed = try secrets.seal(token, associatedData: id)
        do {
            let record = try await repository.create(
                id: id, fields: fields, encryptedAuthToken: sealed, menu: input.menu ?? [])
            await directory.reload(id: id)
            return try JSONBody.response(record, status: .created)
        } catch RepositoryError.duplicateNumber {
            throw APIError(.conflict, "a restaurant already uses \(fields.whatsappFrom)")
        }
    }

    private func list(_ request: Request) async throws -> Response {
        let (limit, cursor) = try Paging.parse(request)
        return try JSONBody.response(try await repository.list(limit: limit, before: cursor))
    }

    private func show(_ id: String) async throws -> Response {
        guard let record = try await repository.get(id: id) else { throw APIError.notFound("no such restaurant") }
        return try JSONBody.response(record)
    }

    private func patch(_ id: String, _ request: Request) async throws -> Response {
        let input = try await JSONBody.decode(RestaurantInput.self, from: request)
        guard let current = try await repository.get(id: id) else { throw APIError.notFound("no such restaurant") }
        let (fields, token) = try input.patched(current)
        let sealed = try token.map { try secrets.seal($0, associatedData: id) }
        do {
            guard let record = try await repository.update(id: id, fields: fields, encryptedAuthToken: sealed) else {
                throw APIError.notFound("no such restaurant")
            }
            if let menu = input.menu { _ = try await repository.replaceMenu(restaurantId: id, items: menu) }
            // New credentials clear an "inactive: bad credentials" state: the queue may flow again.
            if sealed != nil, record.status == "inactive" {
                _ = try await repository.setStatus(id: id, status: "active", reason: nil)
            }
            await directory.reload(id: id)
            return try await show(id)
        } catch RepositoryError.duplicateNumber {
            throw APIError(.conflict, "a restaurant already uses \(fields.whatsappFrom)")
        }
    }

    private func delete(_ id: String) async throws -> Response {
        guard try await repository.delete(id: id) else { throw APIError.notFound("no such restaurant") }
        await directory.reload(id: id)
        return Response(status: .noContent)
    }

    private func setStatus(_ id: String, status: String, reason: String?) async throws -> Response {
        guard let record = try await repository.setStatus(id: id, status: status, reason: reason) else {
            throw APIError.notFound("no such restaurant")
        }
        await directory.reload(id: id)
        return try JSONBody.response(record)
    }
}

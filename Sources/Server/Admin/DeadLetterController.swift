import Foundation
import Hummingbird
import Infra

/// The dead-letter queue of the admin API (docs/http-api.md, docs/outbound.md): list a restaurant's dead letters,
/// retry one.
struct DeadLetterController: Sendable {
    let adminToken: String
    let repository: RestaurantRepository
    let queue: OutboundQueue

    func addRoutes(to router: Router<some RequestContext>) {
        let group = router.group("admin").add(middleware: BearerTokenMiddleware(token: adminToken))
        group.get("restaurants/:id/dead-letters") { request, context in
            guard let id = uuid(context.parameters.get("id")), try await repository.get(id: id) != nil else {
                throw APIError.notFound("no such restaurant")
            }
            let (limit, cursor) = try Paging.parse(request)
            return try JSONBody.response(try await queue.deadLetters(restaurantId: id, limit: limit, before: cursor))
        }
        group.post("dead-letters/:messageId/retry") { _, context in
            guard let id = uuid(context.parameters.get("messageId")),
                let message = try await queue.retryDeadLetter(messageId: id)
            else { throw APIError.notFound("no such dead letter") }
            return try JSONBody.response(message)
        }
    }

    private func uuid(_ text: String?) -> String? {
        guard let text, UUID(uuidString: text) != nil else { return nil }
        return text.lowercased()
    }
}

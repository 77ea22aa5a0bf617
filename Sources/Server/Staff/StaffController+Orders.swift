import Actors
import Hummingbird
import Infra
import Runtime

extension StaffController {
    func listOrders(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        let paging = try Paging.parse(request)
        var status: OrderStatus?
        if let raw = request.uri.queryParameters["status"], !raw.isEmpty {
            guard let parsed = OrderStatus(rawValue: String(raw).uppercased()) else {
                throw APIError.badRequest("unknown status '\(raw)'")
            }
            status = parsed
        }
        return try JSONBody.response(
            try await store.orders(
                restaurantId: staff.restaurantId, status: status, limit: paging.limit, before: paging.before))
    }

    func order(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        guard
            let order = try await store.order(
                restaurantId: staff.restaurantId, id: try context.parameters.require("id"))
        else { throw APIError.notFound("order not found") }
        return try JSONBody.response(order)
    }

    private struct TransitionBody: Decodable {
        let to: String
    }

    /// How long a staff move waits for its conversation before answering 503 (a hung database).
    static let transitionDeadline = Duration.seconds(10)

    /// `POST /api/orders/{id}/transition {"to": …}`: the customer's ConversationActor checks the move against
    /// the state machine and commits it with the customer's notice; 409 `{error, allowed}` when illegal; 503 when
    /// the conversation does not answer within ``transitionDeadline``.
    func transition(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        let id = try context.parameters.require("id")
        let raw = try await JSONBody.decode(TransitionBody.self, from: request).to
        guard let target = OrderStatus(rawValue: raw.uppercased()) else {
            throw APIError.badRequest("unknown status '\(raw)'")
        }
        guard let current = try await store.order(restaurantId: staff.restaurantId, id: id) else {
            throw APIError.notFound("order not found")
        }
        let key = ConversationKey(restaurantId: staff.restaurantId, customer: current.customer)
        do {
            _ = try await conversations.ask(
                key, .transition(orderId: current.id, to: target), admission: .suspend(timeout: .seconds(5)),
                timeout: Self.transitionDeadline)
        } catch let error as OrderTransitionError {
            throw APIError(.conflict, error.description, extra: ["allowed": error.allowed.map(\.rawValue)])
        } catch ConversationActorError.orderMissing {
            throw APIError.notFound("order not found")
        } catch let error as RegistryError where error == .deadlineExceeded {
            throw APIError(
                .serviceUnavailable, "the database did not answer in time; the move may still apply: reload the order")
        } catch let error as RegistryError {
            throw APIError(.serviceUnavailable, "conversation busy, try again (\(error))")
        }
        guard let updated = try await store.order(restaurantId: staff.restaurantId, id: id) else {
            throw APIError.notFound("order not found")
        }
        return try JSONBody.response(updated)
    }
}

import Actors
import Hummingbird
import Infra
import Runtime

/// The dashboard API of docs/staff-api.md under `/api`: every route runs behind ``StaffAuthMiddleware`` and
/// reads or writes only through ``StaffStore`` with the token's restaurant id, so another restaurant's objects
/// answer 404. Order moves go through the customer's ConversationActor, which commits the status change with
/// the customer's notice.
struct StaffController: Sendable {
    let authenticator: StaffAuthenticator
    let store: StaffStore
    let conversations: ActorRegistry<ConversationActor, ContinuousClock>
    let events: any LiveEventPublishing
    /// Drops this process's cached menu of a restaurant at once (other instances hear the notification).
    let invalidateMenu: @Sendable (String) -> Void

    /// Longest staff reply accepted (WhatsApp's limit for a text body).
    static let maximumReplyLength = 4096

    func addRoutes(to router: Router<SufraRequestContext>) {
        LoginController(authenticator: authenticator, throttle: LoginThrottle(users: authenticator.users))
            .addRoutes(to: router)
        let api = router.group("api").add(middleware: StaffAuthMiddleware(authenticator: authenticator))
        api.get("conversations") { request, context in try await listConversations(request, context) }
        api.get("conversations/:id/messages") { request, context in try await listMessages(request, context) }
        api.post("conversations/:id/messages") { request, context in try await reply(request, context) }
        api.post("conversations/:id/read") { request, context in try await markRead(request, context) }
        api.post("conversations/:id/handoff") { request, context in try await handOff(request, context) }
        api.post("conversations/:id/release") { request, context in try await release(request, context) }
        api.get("orders") { request, context in try await listOrders(request, context) }
        api.get("orders/:id") { request, context in try await order(request, context) }
        api.post("orders/:id/transition") { request, context in try await transition(request, context) }
        api.get("menu") { request, context in try await menu(request, context) }
        api.put("menu") { request, context in try await replaceMenu(request, context) }
        api.patch("menu/items/:itemId") { request, context in try await setAvailability(request, context) }
        api.get("analytics") { request, context in try await analytics(request, context) }
    }

    // MARK: Conversations

    func listConversations(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        let paging = try Paging.parse(request)
        return try JSONBody.response(
            try await store.conversations(restaurantId: staff.restaurantId, limit: paging.limit, before: paging.before))
    }

    func listMessages(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        let paging = try Paging.parse(request)
        guard
            let page = try await store.messages(
                restaurantId: staff.restaurantId, conversationId: try context.parameters.require("id"),
                limit: paging.limit, before: paging.before)
        else { throw APIError.notFound("conversation not found") }
        return try JSONBody.response(page)
    }

    private struct ReplyBody: Decodable {
        let body: String
    }

    func reply(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        let id = try context.parameters.require("id")
        let text = try await JSONBody.decode(ReplyBody.self, from: request).body
        guard !text.allSatisfy(\.isWhitespace) else { throw APIError.badRequest("body must not be empty") }
        guard text.count <= Self.maximumReplyLength else {
            throw APIError.badRequest("body is longer than \(Self.maximumReplyLength) characters")
        }
        guard let message = try await store.reply(restaurantId: staff.restaurantId, conversationId: id, body: text)
        else { throw APIError.notFound("conversation not found") }
        await publishConversation(staff.restaurantId, id)
        return try JSONBody.response(message, status: .accepted)
    }

    func markRead(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        guard
            let conversation = try await store.markRead(
                restaurantId: staff.restaurantId, conversationId: try context.parameters.require("id"))
        else { throw APIError.notFound("conversation not found") }
        publish(conversation, restaurantId: staff.restaurantId)
        return try JSONBody.response(conversation)
    }

    /// `POST /api/conversations/{id}/handoff`: staff take the conversation over; the bot goes silent for it.
    func handOff(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        guard
            let conversation = try await store.handOff(
                restaurantId: staff.restaurantId, conversationId: try context.parameters.require("id"))
        else { throw APIError.notFound("conversation not found") }
        publish(conversation, restaurantId: staff.restaurantId)
        return try JSONBody.response(conversation)
    }

    /// `POST /api/conversations/{id}/release`: the bot answers the customer's next message from the main menu.
    func release(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        guard
            let conversation = try await store.release(
                restaurantId: staff.restaurantId, conversationId: try context.parameters.require("id"))
        else { throw APIError.notFound("conversation not found") }
        publish(conversation, restaurantId: staff.restaurantId)
        return try JSONBody.response(conversation)
    }

    /// What a ConversationActor calls when a customer asks for a person: every dashboard hears
    /// `conversation.updated` with `needsHuman: true`.
    static func announcer(
        store: StaffStore, events: any LiveEventPublishing
    ) -> @Sendable (String, String) async -> Void {
        { restaurantId, conversationId in
            guard let conversation = try? await store.conversation(restaurantId: restaurantId, id: conversationId),
                let data = try? JSONBody.encode(conversation)
            else { return }
            events.publish(
                LiveEvent(kind: .conversationUpdated, restaurantId: restaurantId, at: ISO8601.now(), dataJSON: data))
        }
    }

    private func publishConversation(_ restaurantId: String, _ id: String) async {
        guard let conversation = try? await store.conversation(restaurantId: restaurantId, id: id) else { return }
        publish(conversation, restaurantId: restaurantId)
    }

    private func publish(_ conversation: ConversationSummary, restaurantId: String) {
        guard let data = try? JSONBody.encode(conversation) else { return }
        events.publish(
            LiveEvent(kind: .conversationUpdated, restaurantId: restaurantId, at: ISO8601.now(), dataJSON: data))
    }
}

import Logging

/// Routes webhook work by the `To` number to its restaurant and runs admission in the order CONTRACT.md §3
/// fixes: route, signature, idempotency, rate limits, durable ingest, events, then the bot.
///
/// The Supervisor holds no per-request state; the directory is an in-memory snapshot kept fresh by its owner.
public struct Supervisor: Sendable {
    /// The restaurants by number.
    public let directory: TenantDirectory
    private let signatures: any SignatureVerifying
    private let cache: any AcceptedMessageCache
    private let limiter: any WebhookRateLimiting
    private let ingest: any InboundIngest
    private let events: any LiveEventPublishing
    private let dispatcher: any InboundDispatching
    private let now: @Sendable () -> String
    private let logger: Logger

    /// Wires the Supervisor to its ports. `now` gives ISO-8601 UTC timestamps for events.
    public init(
        directory: TenantDirectory, signatures: any SignatureVerifying, cache: any AcceptedMessageCache,
        limiter: any WebhookRateLimiting, ingest: any InboundIngest, events: any LiveEventPublishing,
        dispatcher: any InboundDispatching, now: @escaping @Sendable () -> String, logger: Logger
    ) {
        self.directory = directory
        self.signatures = signatures
        self.cache = cache
        self.limiter = limiter
        self.ingest = ingest
        self.events = events
        self.dispatcher = dispatcher
        self.now = now
        self.logger = logger
    }

    /// Admits one inbound message. `request` must carry `MessageSid`, `From` and `To` (the HTTP layer answers
    /// 400 before calling otherwise).
    public func receive(
        _ request: InboundRequest, messageSid: String, from: String, to: String
    ) async
        -> InboundVerdict
    {
        guard let tenant = directory.tenant(forNumber: to) else {
            return directory.isLoaded ? .unknownRestaurant : .unavailable("restaurant directory not loaded yet")
        }
        guard let signature = request.signature,
            signatures.isValid(
                signature: signature, url: request.signedURL, parameters: request.parameters,
                authToken: tenant.authToken)
        else { return .badSignature }

        if await cache.wasAccepted(messageSid: messageSid) { return .duplicate }

        let message = InboundWebhook(
            restaurantId: tenant.id, messageSid: messageSid, from: from, to: to,
            body: request.parameter("Body") ?? "", profileName: request.parameter("ProfileName"),
            parameters: request.parameters)

        do {
            let verdict = try await limiter.admit(
                restaurantId: tenant.id, customer: from, restaurantPerMinute: tenant.inboundPerMinute)
            if case .denied(let bucket, let retryAfter) = verdict {
                try await ingest.audit(message, outcome: "throttled:\(bucket.rawValue)")
                return .throttled(bucket, retryAfterSeconds: retryAfter)
            }
        } catch {
            // The limiter lives in Redis; when it is down we keep serving (the database still protects us)
            // rather than refusing every customer.
            logger.warning("rate limiter unavailable, admitting", metadata: ["error": "\(error)"])
        }

        let outcome: IngestOutcome
        do {
            outcome = try await ingest.ingest(message)
        } catch {
            logger.error("ingest failed", metadata: ["restaurant": "\(tenant.id)", "error": "\(error)"])
            return .unavailable("\(error)")
        }
        guard case .accepted(let messageId, let conversationId) = outcome else { return .duplicate }

        await cache.markAccepted(messageSid: messageSid)
        await publishReceived(message, messageId: messageId, conversationId: conversationId)
        dispatcher.dispatch(
            ConversationKey(restaurantId: tenant.id, customer: from), messageId: messageId,
            content: Self.content(of: request))
        return .accepted(messageId: messageId, conversationId: conversationId)
    }

    /// The parts of the message the bot reads.
    static func content(of request: InboundRequest) -> InboundContent {
        InboundContent(
            body: request.parameter("Body") ?? "", buttonPayload: request.parameter("ButtonPayload"),
            latitude: request.parameter("Latitude").flatMap(Double.init),
            longitude: request.parameter("Longitude").flatMap(Double.init), address: request.parameter("Address"))
    }

    private func publishReceived(_ message: InboundWebhook, messageId: String, conversationId: String) async {
        let at = now()
        let data =
            "{\"id\":\(JSONText.quoted(messageId)),\"conversationId\":\(JSONText.quoted(conversationId)),"
            + "\"direction\":\"inbound\",\"customer\":\(JSONText.quoted(message.from)),"
            + "\"body\":\(JSONText.quoted(message.body)),\"sid\":\(JSONText.quoted(message.messageSid))}"
        await events.publish(
            LiveEvent(kind: .messageReceived, restaurantId: message.restaurantId, at: at, dataJSON: data))
        let conversation =
            "{\"id\":\(JSONText.quoted(conversationId)),\"customer\":\(JSONText.quoted(message.from)),"
            + "\"lastMessageAt\":\(JSONText.quoted(at))}"
        await events.publish(
            LiveEvent(
                kind: .conversationUpdated, restaurantId: message.restaurantId, at: at, dataJSON: conversation))
    }
}

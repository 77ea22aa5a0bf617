import Logging
import Runtime
import Synchronization

/// The root of the inbound path: routes each webhook by its `To` number to the restaurant's ``TenantActor``
/// (signature, inbound limits), then to the customer's ConversationActor (bot step decided in memory, committed
/// with the message in one group commit), and maps the outcome to a verdict (docs/inbound.md has the route).
///
/// The TenantActors live here, one per restaurant, created when a restaurant's first webhook arrives (a few
/// hundred bytes each; a deleted restaurant's is never reached again). The map is behind a lock rather than inside a Swift actor: routing is a lookup
/// that never waits, so a serial executor would only add a hop to every webhook.
public final class Supervisor: Sendable {
    /// The restaurants by number.
    public let directory: TenantDirectory
    private let tenants = Mutex<[String: TenantActor]>([:])
    private let tenantDependencies: TenantActor.Dependencies
    private let ingest: any InboundIngest
    private let conversations: any InboundDispatching
    private let events: any LiveEventPublishing
    private let now: @Sendable () -> String
    private let logger: Logger
    /// How long a webhook may take from arrival to its verdict (``InboundVerdict/unavailable(_:)`` past it).
    public let webhookDeadline: Duration

    /// The default ``webhookDeadline``: well inside the 15 s Twilio waits for an answer, so a webhook that meets a
    /// hung database is answered 503 (which Twilio retries when the webhook URL asks it to: README.md, "Operations")
    /// rather than timed out by Twilio.
    public static let defaultWebhookDeadline = Duration.seconds(8)

    /// Wires the Supervisor. `now` gives ISO-8601 UTC timestamps for events; every webhook gets its verdict within
    /// `webhookDeadline` of its arrival.
    public init(
        directory: TenantDirectory, tenants: TenantActor.Dependencies, ingest: any InboundIngest,
        conversations: any InboundDispatching, events: any LiveEventPublishing,
        now: @escaping @Sendable () -> String, logger: Logger, webhookDeadline: Duration = defaultWebhookDeadline
    ) {
        self.directory = directory
        self.tenantDependencies = tenants
        self.ingest = ingest
        self.conversations = conversations
        self.events = events
        self.now = now
        self.logger = logger
        self.webhookDeadline = webhookDeadline
    }

    /// Admits one inbound message. `request` must carry `MessageSid`, `From` and `To` (the HTTP layer answers
    /// 400 before calling otherwise). Answers within ``webhookDeadline``, whatever the database does.
    public func receive(
        _ request: InboundRequest, messageSid: String, from: String, to: String
    ) async -> InboundVerdict {
        let receivedAt = ContinuousClock.now
        let deadline = receivedAt.advanced(by: webhookDeadline)
        guard let config = directory.tenant(forNumber: to) else {
            return directory.isLoaded ? .unknownRestaurant : .unavailable("restaurant directory not loaded yet")
        }
        let message = InboundWebhook(
            restaurantId: config.id, messageSid: messageSid, from: from, to: to,
            body: request.parameter("Body") ?? "", profileName: request.parameter("ProfileName"),
            parameters: request.parameters)

        switch await tenant(for: config).admit(request, customer: from, config: config) {
        case .badSignature:
            return .badSignature
        case .throttled(let bucket, let retryAfter):
            do {
                try await ingest.audit(message, outcome: "throttled:\(bucket.rawValue)", deadline: deadline)
            } catch {
                logger.warning("audit of a throttled webhook failed", metadata: ["error": "\(error)"])
            }
            return .throttled(bucket, retryAfterSeconds: retryAfter)
        case .admitted:
            break
        }

        let outcome: IngestOutcome
        do {
            outcome = try await commit(
                message, content: Self.content(of: request), receivedAt: receivedAt, deadline: deadline)
        } catch let error as RegistryError where error == .deadlineExceeded {
            logger.warning(
                "webhook deadline passed before its commit; answered 503",
                metadata: ["restaurant": "\(config.id)", "deadline": "\(webhookDeadline)"])
            return .unavailable("\(error)")
        } catch {
            logger.error("ingest failed", metadata: ["restaurant": "\(config.id)", "error": "\(error)"])
            return .unavailable("\(error)")
        }
        guard case .accepted(let receipt) = outcome else { return .duplicate }
        publishReceived(message, receipt: receipt)
        return .accepted(messageId: receipt.messageId, conversationId: receipt.conversationId)
    }

    func tenant(for config: TenantConfig) -> TenantActor {
        tenants.withLock { tenants in
            if let actor = tenants[config.id] { return actor }
            let actor = TenantActor(config: config, dependencies: tenantDependencies)
            tenants[config.id] = actor
            return actor
        }
    }

    /// The conversation decides and commits; when it refuses the message (a full mailbox, an entity that keeps
    /// failing) the message is still stored, unhandled, and the sweeper hands it to the bot once there is room.
    /// Neither outlives `deadline`: once it passes, nothing more is tried.
    private func commit(
        _ message: InboundWebhook, content: InboundContent, receivedAt: ContinuousClock.Instant,
        deadline: ContinuousClock.Instant
    )
        async throws -> IngestOutcome
    {
        do {
            return try await conversations.handle(
                message, content: content, receivedAt: receivedAt, deadline: deadline)
        } catch let refused as RegistryError where refused != .deadlineExceeded {
            guard ContinuousClock.now < deadline else { throw RegistryError.deadlineExceeded }
            logger.warning(
                "conversation refused a webhook; stored for the sweeper",
                metadata: ["restaurant": "\(message.restaurantId)", "error": "\(refused)"])
            return try await ingest.ingest(message, step: nil, deadline: deadline)
        }
    }

    /// The parts of the message the bot reads.
    static func content(of request: InboundRequest) -> InboundContent {
        InboundContent(
            body: request.parameter("Body") ?? "", buttonPayload: request.parameter("ButtonPayload"),
            latitude: request.parameter("Latitude").flatMap(Double.init),
            longitude: request.parameter("Longitude").flatMap(Double.init), address: request.parameter("Address"))
    }

    private func publishReceived(_ message: InboundWebhook, receipt: IngestReceipt) {
        let at = now()
        var data = "{\"id\":"
        data.reserveCapacity(160 + message.body.utf8.count)
        JSONText.appendQuoted(receipt.messageId, to: &data)
        data += ",\"conversationId\":"
        JSONText.appendQuoted(receipt.conversationId, to: &data)
        data += ",\"direction\":\"inbound\",\"customer\":"
        JSONText.appendQuoted(message.from, to: &data)
        data += ",\"body\":"
        JSONText.appendQuoted(message.body, to: &data)
        data += ",\"sid\":"
        JSONText.appendQuoted(message.messageSid, to: &data)
        data += "}"
        events.publish(LiveEvent(kind: .messageReceived, restaurantId: message.restaurantId, at: at, dataJSON: data))
        var conversation = "{\"id\":"
        conversation.reserveCapacity(120)
        JSONText.appendQuoted(receipt.conversationId, to: &conversation)
        conversation += ",\"customer\":"
        JSONText.appendQuoted(message.from, to: &conversation)
        conversation += ",\"lastMessageAt\":"
        JSONText.appendQuoted(at, to: &conversation)
        conversation += "}"
        events.publish(
            LiveEvent(
                kind: .conversationUpdated, restaurantId: message.restaurantId, at: at, dataJSON: conversation))
    }
}

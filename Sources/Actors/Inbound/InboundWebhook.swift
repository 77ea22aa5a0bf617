/// A customer's message as Twilio delivered it, after routing and signature checks: what the ingest writer
/// stores and the bot later reads.
///
/// A value with its parts behind one immutable reference: a webhook is handed from the Supervisor to its
/// ConversationActor, into the group commit's queue and batch, and each copy of six strings and the parameters
/// used to retain and release every one of them (about 1 % of the server's samples at 128 connections).
public struct InboundWebhook: Sendable, Equatable {
    /// The parts, written once.
    private final class Parts: Sendable {
        let restaurantId: String
        let messageSid: String
        let from: String
        let to: String
        let body: String
        let profileName: String?
        let parameters: [(name: String, value: String)]

        init(
            restaurantId: String, messageSid: String, from: String, to: String, body: String, profileName: String?,
            parameters: [(name: String, value: String)]
        ) {
            self.restaurantId = restaurantId
            self.messageSid = messageSid
            self.from = from
            self.to = to
            self.body = body
            self.profileName = profileName
            self.parameters = parameters
        }
    }

    private let parts: Parts

    /// The restaurant it was routed to.
    public var restaurantId: String { parts.restaurantId }
    /// Twilio's `MessageSid` (the idempotency key).
    public var messageSid: String { parts.messageSid }
    /// The customer, e.g. `whatsapp:+9665…`.
    public var from: String { parts.from }
    /// The restaurant's number.
    public var to: String { parts.to }
    /// `Body` (may be empty for a location or media message).
    public var body: String { parts.body }
    /// `ProfileName`, when Twilio sent one.
    public var profileName: String? { parts.profileName }
    /// Every form parameter, in the order received (all kept, docs/inbound.md).
    public var parameters: [(name: String, value: String)] { parts.parameters }

    /// Creates an inbound message from its parts.
    public init(
        restaurantId: String, messageSid: String, from: String, to: String, body: String, profileName: String?,
        parameters: [(name: String, value: String)]
    ) {
        parts = Parts(
            restaurantId: restaurantId, messageSid: messageSid, from: from, to: to, body: body,
            profileName: profileName, parameters: parameters)
    }

    /// The first value of a parameter.
    public func parameter(_ name: String) -> String? {
        parts.parameters.first { $0.name == name }?.value
    }

    public static func == (lhs: InboundWebhook, rhs: InboundWebhook) -> Bool {
        lhs.parts === rhs.parts
            || (lhs.restaurantId == rhs.restaurantId && lhs.messageSid == rhs.messageSid && lhs.from == rhs.from
                && lhs.to == rhs.to && lhs.body == rhs.body && lhs.profileName == rhs.profileName
                && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value })
    }
}

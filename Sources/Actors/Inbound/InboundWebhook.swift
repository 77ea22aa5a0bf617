/// A customer's message as Twilio delivered it, after routing and signature checks: what the ingest writer
/// stores and the bot later reads.
public struct InboundWebhook: Sendable, Equatable {
    /// The restaurant it was routed to.
    public var restaurantId: String
    /// Twilio's `MessageSid` (the idempotency key).
    public var messageSid: String
    /// The customer, e.g. `whatsapp:+9665…`.
    public var from: String
    /// The restaurant's number.
    public var to: String
    /// `Body` (may be empty for a location or media message).
    public var body: String
    /// `ProfileName`, when Twilio sent one.
    public var profileName: String?
    /// Every form parameter, in the order received (all kept, docs/inbound.md).
    public var parameters: [(name: String, value: String)]

    /// Creates an inbound message from its parts.
    public init(
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

    /// The first value of a parameter.
    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    public static func == (lhs: InboundWebhook, rhs: InboundWebhook) -> Bool {
        lhs.restaurantId == rhs.restaurantId && lhs.messageSid == rhs.messageSid && lhs.from == rhs.from
            && lhs.to == rhs.to && lhs.body == rhs.body && lhs.profileName == rhs.profileName
            && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
    }
}

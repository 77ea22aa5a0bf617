/// A claimed outbound message: everything the sender needs to hand it to the provider.
public struct OutboundJob: Sendable, Hashable {
    /// The message id (uuid text).
    public var id: String
    /// The restaurant sending it.
    public var restaurantId: String
    /// Its conversation.
    public var conversationId: String
    /// The customer, e.g. `whatsapp:+9665…`.
    public var customer: String
    /// Free text, or nil for a template.
    public var body: String?
    /// Template Content SID, or nil for free text.
    public var contentSid: String?
    /// Template variables as JSON text.
    public var contentVariables: String?
    /// Attempts made before this one.
    public var attempts: Int
    /// Whether the customer wrote within the last 24 hours (WhatsApp's free-text window).
    public var windowOpen: Bool
    /// Whether an earlier attempt may have reached the provider without its answer reaching us (a lost answer, or
    /// a lease that ran out mid-send): the job is looked up at the provider before it is sent again.
    public var uncertain: Bool
    /// When the first attempt was claimed (microseconds since 1970), the lower bound of a lookup.
    public var firstAttemptMicros: Int64?
    /// For an uncertain job: the provider's sids of the conversation's other messages sent around its first
    /// attempt. A lookup never takes one of them for this job (a template is matched without its body, and two
    /// texts may be equal).
    public var otherSids: Set<String> = []
    /// For an uncertain job: the sid a receipt gave it while its attempt was in flight (the receipt URL carries
    /// the job id), which settles it without a lookup.
    public var knownSid: String?

    /// Creates a job.
    public init(
        id: String, restaurantId: String, conversationId: String, customer: String, body: String?,
        contentSid: String?, contentVariables: String?, attempts: Int, windowOpen: Bool, uncertain: Bool = false,
        firstAttemptMicros: Int64? = nil
    ) {
        self.id = id
        self.restaurantId = restaurantId
        self.conversationId = conversationId
        self.customer = customer
        self.body = body
        self.contentSid = contentSid
        self.contentVariables = contentVariables
        self.attempts = attempts
        self.windowOpen = windowOpen
        self.uncertain = uncertain
        self.firstAttemptMicros = firstAttemptMicros
    }

    /// Free text may only go inside the 24-hour window; templates always may.
    public var mayBeSent: Bool { contentSid != nil || windowOpen }
}

/// A restaurant as the runtime needs it: routing number, credentials, limits and voice. A snapshot: the
/// directory replaces it whole when the restaurant changes.
public struct TenantConfig: Sendable, Equatable, CustomStringConvertible {
    /// Whether the restaurant takes traffic and sends.
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Normal operation.
        case active
        /// Inbound is accepted and answered; nothing leaves for Twilio.
        case paused
        /// Credentials failed (or an operator disabled it); like paused, with a reason.
        case inactive
    }

    /// The restaurant id (uuid text).
    public var id: String
    /// Display name.
    public var name: String
    /// The WhatsApp number exactly as Twilio's `To`, e.g. `whatsapp:+14155238886`.
    public var whatsappFrom: String
    /// Twilio account SID.
    public var accountSid: String
    /// Twilio auth token, decrypted. Never printed (see ``description``).
    public var authToken: String
    /// Inbound webhook limit per minute.
    public var inboundPerMinute: Int
    /// Outbound send rate per minute.
    public var sendPerMinute: Int
    /// Default language of replies: `ar` or `en`.
    public var language: String
    /// Shown to unhappy customers and on "talk to us".
    public var supportContact: String?
    /// Twilio Content SID of the promo template, if any.
    public var promoContentSid: String?
    /// Current status.
    public var status: Status
    /// Why it is paused or inactive.
    public var statusReason: String?
    /// The row's revision, bumped by every change: the directory never replaces a snapshot with an older one.
    public var revision: Int64
    /// The version of the credentials (account SID and auth token), bumped when either changes: a 401 makes the
    /// restaurant inactive only when the failing send used the current version.
    public var credentialsVersion: Int64

    /// Creates a snapshot.
    public init(
        id: String, name: String, whatsappFrom: String, accountSid: String, authToken: String,
        inboundPerMinute: Int = 60, sendPerMinute: Int = 60, language: String = "ar",
        supportContact: String? = nil, promoContentSid: String? = nil, status: Status = .active,
        statusReason: String? = nil, revision: Int64 = 0, credentialsVersion: Int64 = 0
    ) {
        self.id = id
        self.name = name
        self.whatsappFrom = whatsappFrom
        self.accountSid = accountSid
        self.authToken = authToken
        self.inboundPerMinute = inboundPerMinute
        self.sendPerMinute = sendPerMinute
        self.language = language
        self.supportContact = supportContact
        self.promoContentSid = promoContentSid
        self.status = status
        self.statusReason = statusReason
        self.revision = revision
        self.credentialsVersion = credentialsVersion
    }

    public var description: String {
        "TenantConfig(id: \(id), name: \(name), whatsappFrom: \(whatsappFrom), status: \(status.rawValue))"
    }
}

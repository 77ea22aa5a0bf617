/// A restaurant's Twilio credentials. The auth token never appears in descriptions.
public struct TwilioAccount: Sendable, Hashable, CustomStringConvertible {
    /// The Account SID (`AC…`).
    public var sid: String
    /// The auth token (secret).
    public var authToken: String

    /// Creates an account.
    public init(sid: String, authToken: String) {
        self.sid = sid
        self.authToken = authToken
    }

    public var description: String { "TwilioAccount(sid: \(sid), authToken: <redacted>)" }
}

/// A message to send through Twilio's Messages API.
public struct OutboundTwilioMessage: Sendable, Hashable {
    /// What the message carries: free text, or an approved template with its variables (JSON text).
    public enum Content: Sendable, Hashable {
        /// Free-form text (`Body`).
        case body(String)
        /// A content template (`ContentSid`, `ContentVariables`).
        case template(contentSid: String, variables: String?)
    }

    /// The customer, e.g. `whatsapp:+9665…`.
    public var to: String
    /// The restaurant's number, e.g. `whatsapp:+14155238886`.
    public var from: String
    /// The content.
    public var content: Content
    /// Where Twilio posts delivery receipts (`PUBLIC_URL/whatsapp/status`), if anywhere.
    public var statusCallback: String?

    /// Creates a message.
    public init(to: String, from: String, content: Content, statusCallback: String? = nil) {
        self.to = to
        self.from = from
        self.content = content
        self.statusCallback = statusCallback
    }

    /// The form fields of the API call.
    public var formFields: [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [("To", to), ("From", from)]
        switch content {
        case .body(let body):
            fields.append(("Body", body))
        case .template(let contentSid, let variables):
            fields.append(("ContentSid", contentSid))
            if let variables { fields.append(("ContentVariables", variables)) }
        }
        if let statusCallback { fields.append(("StatusCallback", statusCallback)) }
        return fields
    }
}

/// What a send came to, in the terms the outbound queue acts on.
public enum TwilioSendResult: Sendable, Hashable {
    /// Twilio accepted the message.
    case sent(sid: String, status: String)
    /// Not sent, try again later: 429 / 20429 (with Twilio's `Retry-After` when given), 5xx, or a connection that
    /// never carried the request.
    case retryLater(after: Duration?, reason: String)
    /// Maybe sent: the request left but no readable answer came (timeout after writing, reset, unreadable 2xx).
    case uncertain(reason: String)
    /// Twilio refused the message for good (400, 403, 404, …); do not retry.
    case rejected(code: Int, message: String)
    /// The account's credentials are wrong (401 or code 20003): pause the restaurant.
    case badCredentials(code: Int, message: String)
}

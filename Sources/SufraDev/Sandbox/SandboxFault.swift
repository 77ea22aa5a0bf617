/// A misbehaviour the sandbox can be told to show for one account.
public enum SandboxFault: Sendable, Hashable, Codable {
    /// Answer 429 with code 20429 and `Retry-After: seconds`.
    case tooManyRequests(retryAfterSeconds: Int)
    /// Answer 500 with code 20500.
    case serverError
    /// Answer 401 with code 20003, whatever the credentials.
    case unauthorized
    /// Never answer (until the client gives up, or the sandbox's hang limit passes).
    case hang
    /// Answer normally after a fixed delay.
    case slow(milliseconds: Int)
    /// Accept and record the message (and post its callbacks), then hold the answer for `milliseconds` — past the
    /// client's timeout, so the client never learns that Twilio accepted it (a lost answer).
    case acceptThenLoseAnswer(milliseconds: Int)
}

/// One fault rule: a fault for the next `remaining` answers, or until cleared when `remaining` is nil.
struct SandboxFaultRule: Sendable, Hashable {
    var fault: SandboxFault
    var remaining: Int?
}

/// A message the sandbox accepted, as its record keeps it and `GET /sandbox/messages` shows it.
public struct SandboxMessage: Sendable, Hashable, Codable {
    /// `SM` + 32 hex digits.
    public var sid: String
    /// The account that sent it.
    public var accountSid: String
    /// The customer.
    public var to: String
    /// The restaurant's number.
    public var from: String
    /// Free text, when sent as text.
    public var body: String?
    /// The template, when sent as a template.
    public var contentSid: String?
    /// The template variables (JSON text).
    public var contentVariables: String?
    /// Where status callbacks go.
    public var statusCallback: String?
    /// Position in the record (0, 1, 2, …), to tell order.
    public var index: Int
    /// When it was accepted (seconds since 1970), shown as `date_created` / `date_sent` by the list endpoint.
    public var createdAt: Int64 = 0
    /// When it was accepted, in seconds since 1970 to the microsecond (``createdAt`` is whole seconds, as Twilio's
    /// dates are): what a measurement of send rates reads.
    public var acceptedAt: Double = 0
}

/// One outbound WhatsApp message the bot wants sent: free text (`Body`) or a Twilio content template
/// (`ContentSid` + `ContentVariables`).
public enum Reply: Sendable, Hashable, Codable {
    /// A text message.
    case text(String)
    /// A content template with its variables, e.g. `["1": "Restaurant name"]`.
    case template(contentSid: String, variables: [String: String])
}

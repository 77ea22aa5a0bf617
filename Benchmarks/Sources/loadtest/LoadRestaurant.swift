/// A restaurant the harness created through the admin API, with the credentials it signs webhooks with.
struct LoadRestaurant: Sendable, Hashable {
    /// The restaurant's id.
    var id: String
    /// Its WhatsApp number (`whatsapp:+1…`), the webhook's `To`.
    var number: String
    /// Its Twilio account sid.
    var accountSid: String
    /// Its Twilio auth token (signs webhooks; the sandbox checks it on replies).
    var authToken: String
    /// Its outbound send rate.
    var sendPerMinute: Int
}

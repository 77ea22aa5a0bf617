/// What every customer shares: how to send, where replies arrive, where measurements go, and the knobs.
struct LoadContext: Sendable {
    /// Signs and posts webhooks.
    var sender: WebhookSender
    /// Where replies are awaited.
    var inbox: ReplyInbox
    /// Where measurements go.
    var recorder: LoadRecorder
    /// Copies of each webhook sent at once with the same `MessageSid` (Twilio retries; 1 = no duplicates).
    var duplicates: Int
    /// How a message that was not answered 200 is retried.
    var retry = RetryPolicy()
    /// The restaurants' staff (nil: orders stay `CONFIRMED`).
    var staff: StaffDesk?
    /// Every `ratingEvery`-th confirmed order of a customer is prepared, handed over and rated (0: none).
    var ratingEvery = 4
}

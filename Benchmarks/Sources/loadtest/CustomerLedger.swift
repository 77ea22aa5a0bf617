/// What one customer did, for the correctness check against the database and the sandbox.
struct CustomerLedger: Sendable, Codable {
    /// `whatsapp:+…`.
    var phone: String
    /// The restaurant talked to.
    var restaurantId: String
    /// Distinct messages acknowledged with 200 (duplicates of one `MessageSid` count once).
    var acknowledged = 0
    /// Conversations that ended with the confirmation reply (each must be an order past `DRAFT`, not cancelled).
    var ordersConfirmed = 0
    /// Of those, orders staff moved to `DELIVERED` and the customer rated (each must be `RATED`).
    var ordersRated = 0
    /// Replies beyond one per acknowledged message: staff notices, the rating question, the promo after a high
    /// rating.
    var extraReplies = 0
    /// Replies that never arrived within the timeout.
    var replyTimeouts = 0
    /// Messages given up without an answer (every attempt timed out): the server may have stored them or not.
    var uncertain = 0
    /// The MessageSids answered 200 (each must be stored once and handled once).
    var acknowledgedSids: [String] = []
    /// The MessageSids given up after refusals only (503, 429…): none may be stored.
    var refusedSids: [String] = []
    /// The MessageSids given up with an attempt unanswered: stored or not, either is correct.
    var uncertainSids: [String] = []
}

/// The end-of-run correctness check: what the customers saw against what the database and the sandbox hold.
/// Any loss or duplicate fails the run (non-zero exit).
struct Verification: Sendable, Codable {
    /// Customers checked.
    var customers = 0
    /// Acknowledged messages not in the database (lost).
    var lostMessages = 0
    /// Inbound rows beyond the acknowledged and the uncertain messages (duplicates).
    var extraMessages = 0
    /// Messages given up without any answer (every attempt timed out): stored or not, either is correct.
    var uncertainMessages = 0
    /// Inbound messages the bot never handled.
    var unhandledMessages = 0
    /// Replies the flow prescribes that were not queued.
    var missingReplies = 0
    /// Replies queued beyond what the flow prescribes.
    var extraReplies = 0
    /// Confirmed conversations with no order past `DRAFT`, and the reverse.
    var missingOrders = 0
    var extraOrders = 0
    /// `RATED` orders, and ratings the customers gave that are not stored (or stored without being given).
    var ratedOrders = 0
    var missingRatings = 0
    var extraRatings = 0
    /// Replies the sandbox did not receive, and replies it received twice or more (when replies are watched).
    var sandboxMissing = 0
    var sandboxExtra = 0
    /// Outbound rows not yet sent when the check gave up waiting.
    var outboundPending = 0
    /// True when the sandbox side was checked.
    var checkedSandbox = false

    /// No loss and no duplicate anywhere.
    var passed: Bool {
        lostMessages == 0 && extraMessages == 0 && unhandledMessages == 0 && missingReplies == 0 && extraReplies == 0
            && missingOrders == 0 && extraOrders == 0 && missingRatings == 0 && extraRatings == 0
            && sandboxMissing == 0 && sandboxExtra == 0
    }
}

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
    /// MessageSids answered 200 with no inbound row, or with a row the bot never handled.
    var acknowledgedNotStored = 0
    var acknowledgedUnhandled = 0
    /// MessageSids given up after refusals only (503…) that were stored all the same.
    var refusedButStored = 0
    /// MessageSids given up unanswered that were stored (correct either way; reported).
    var uncertainStored = 0
    /// Reply by reply, the sandbox's record against the outbound rows (when the sandbox was checked).
    var delivery: DeliveryAudit.Findings?

    /// No loss and no duplicate anywhere — except replies delivered twice in the window the audit names (a kill of
    /// a sending process between Twilio's acceptance and the record), which are counted, not failed.
    var passed: Bool {
        let namedDuplicates = delivery?.duplicatesInKillWindow ?? 0
        let deliveryHeld =
            delivery.map { $0.duplicates == $0.duplicatesInKillWindow && $0.deadLettersDelivered == 0 } ?? true
        return lostMessages == 0 && extraMessages == 0 && unhandledMessages == 0 && missingReplies == 0
            && extraReplies == 0 && missingOrders == 0 && extraOrders == 0 && missingRatings == 0 && extraRatings == 0
            && sandboxMissing == 0 && sandboxExtra <= namedDuplicates && deliveryHeld && acknowledgedNotStored == 0
            && acknowledgedUnhandled == 0 && refusedButStored == 0
    }
}

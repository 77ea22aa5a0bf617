import SufraDev

/// Where the harness sees the bot's replies: the Twilio sandbox it runs in-process (Sufra's outbound sender posts
/// there), or nowhere when replies are not timed (they are still counted in the database at the end).
struct ReplyInbox: Sendable {
    /// The sandbox, when replies are timed.
    var sandbox: TwilioSandbox?
    /// How long a customer waits for one reply before counting a timeout.
    var timeout: Duration

    /// True when customers wait for each reply.
    var isWatching: Bool { sandbox != nil }

    /// Waits until `customer` has received `count` replies in all; returns when the last one arrived, or nil on
    /// timeout (or when replies are not watched).
    func waitForReply(count: Int, to customer: String) async -> ContinuousClock.Instant? {
        guard let sandbox else { return nil }
        do {
            _ = try await sandbox.waitForMessages(count: count, to: customer, timeout: timeout)
            return .now
        } catch {
            return nil
        }
    }

    /// Replies `customer` has received so far.
    func received(by customer: String) -> Int {
        sandbox?.messages(to: customer).count ?? 0
    }
}

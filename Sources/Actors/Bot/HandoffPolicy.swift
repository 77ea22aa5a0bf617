/// Handing a conversation to a person (docs/dashboard.md), the pure part.
///
/// Staff take a conversation over until a deadline that each of their messages pushes back
/// (`HANDOFF_IDLE_MINUTES`); while it holds, the bot sends nothing and changes nothing for that customer's
/// messages (they are still stored, counted unread and shown live). Past the deadline, or after staff give it
/// back, the bot answers again from the stored state, which taking over and giving back both reset to
/// ``BotState/idle`` so the customer's next message gets the main menu.
///
/// A customer asks for a person by choosing "talk to us", which puts the bot in ``BotState/withStaff``: that
/// state *is* the conversation's `needsHuman` flag.
public enum HandoffPolicy {
    /// Whether staff answer at `now`: the conversation was taken over until `until` and that has not passed.
    public static func staffAnswering(until: ContinuousClock.Instant?, now: ContinuousClock.Instant) -> Bool {
        guard let until else { return false }
        return now < until
    }

    /// Whether a step from `previous` to `outcome` is the customer asking for a person (dashboards are told).
    public static func asksForPerson(from previous: BotState, to outcome: BotOutcome) -> Bool {
        outcome.state == .withStaff && previous != .withStaff
    }

    /// Whether the bot answers even while staff answer: order notices and the rating question go out in either
    /// mode (they follow staff moves), so the customer's answer to that question is still the bot's to record.
    public static func botTakesRating(_ state: BotState) -> Bool {
        if case .awaitingRating = state { return true }
        return false
    }

    /// Whether a conversation in `state` waits for a person (`needsHuman`).
    public static func needsHuman(_ state: BotState) -> Bool { state == .withStaff }

    /// The bot's answer while staff answer: nothing sent, nothing changed; only the conversation's language
    /// follows the customer.
    static func silent(state: BotState, language: Language?) -> BotOutcome {
        BotOutcome(state: state, language: language, replies: [])
    }
}

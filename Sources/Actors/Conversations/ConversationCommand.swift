/// What a ConversationActor is asked to do, one at a time, in arrival order.
public enum ConversationCommand: Sendable {
    /// A webhook admitted and not yet stored: decide the bot step on the state in memory, then have the message
    /// and the step committed together (decide before commit). Answers ``ConversationResult/ingested(_:)`` once
    /// the message is durable; a duplicate `MessageSid` discards the step.
    case webhook(InboundWebhook, content: InboundContent, receivedAt: ContinuousClock.Instant)
    /// Run the bot on a stored inbound message. `content` rides along when the caller has it; the sweeper sends
    /// nil and the actor reads the message back. `receivedAt` (when the webhook arrived) times the bot's reply.
    case inbound(messageId: String, content: InboundContent?, receivedAt: ContinuousClock.Instant? = nil)
    /// Staff move an order of this conversation to `to`: the actor checks the move with the
    /// ``OrderStateMachine`` (staff moves), then commits the status change, the customer's notice and the new
    /// bot state in one transaction. Throws ``OrderTransitionError`` for an illegal move and
    /// ``ConversationActorError/orderMissing(_:)`` when the order is not this conversation's.
    case transition(orderId: String, to: OrderStatus)
}

/// What a ConversationActor did with a command.
public enum ConversationResult: Sendable, Equatable {
    /// A webhook was stored (with its step, or unhandled), or found to be a duplicate.
    case ingested(IngestOutcome)
    /// The bot's effects and replies were committed; these outbound message ids were queued.
    case handled(queuedMessageIds: [String])
    /// The inbound message had been handled before (a re-drive after a crash, or a duplicate dispatch).
    case alreadyHandled
    /// A staff transition was committed: the order as it now is, and the notices queued for the customer.
    case transitioned(OrderSnapshot, queuedMessageIds: [String])
}

/// One simulated WhatsApp customer: holds real conversations with one restaurant, one message at a time, waiting
/// for each reply (when replies are watched) before the next, and records what it saw.
struct Customer: Sendable {
    /// The customer's record.
    private(set) var ledger: CustomerLedger
    /// The restaurant.
    let restaurant: LoadRestaurant
    /// The stats group (`all`, `quiet`, …).
    let group: String
    private var messagesSent = 0
    private var needsRestart = false

    /// A customer with number `phone` talking to `restaurant`.
    init(phone: String, restaurant: LoadRestaurant, group: String = "all") {
        self.ledger = CustomerLedger(phone: phone, restaurantId: restaurant.id)
        self.restaurant = restaurant
        self.group = group
    }

    /// Holds conversations until `deadline` (a conversation under way at the deadline stops there) or until
    /// `maximumOrders` orders are confirmed.
    mutating func run(
        until deadline: ContinuousClock.Instant, pacing: Pacing, context: LoadContext, maximumOrders: Int = .max
    ) async {
        messagesSent = 0  // pacing counts from the start of each run (each ramp step)
        while ContinuousClock.now < deadline, ledger.ordersConfirmed < maximumOrders, !Task.isCancelled {
            if await holdConversation(until: deadline, pacing: pacing, context: context) {
                ledger.ordersConfirmed += 1
                context.recorder.record(LoadSample(ordersConfirmed: 1), into: group)
                if context.ratingEvery > 0, ledger.ordersConfirmed % context.ratingEvery == 0 {
                    await deliverAndRate(until: deadline, pacing: pacing, context: context)
                }
            }
        }
    }

    /// One scripted order; true when its confirmation was acknowledged (and, when watched, answered).
    private mutating func holdConversation(
        until deadline: ContinuousClock.Instant, pacing: Pacing, context: LoadContext
    ) async -> Bool {
        for (position, scripted) in ConversationScript.order.enumerated() {
            let text = position == 0 && needsRestart ? ConversationScript.restart : scripted
            // Every attempt of one message carries its MessageSid, as Twilio's retries do: a retry after a timeout
            // whose message was stored answers 200 (duplicate) and is counted once.
            let sid = WebhookSender.makeSid()
            switch await deliver(text, sid: sid, extraReplies: 0, until: deadline, pacing: pacing, context: context) {
            case .accepted: continue
            case .refused:
                ledger.refusedSids.append(sid)
            case .unknown:
                ledger.uncertain += 1
                ledger.uncertainSids.append(sid)
            }
            needsRestart = true
            return false
        }
        needsRestart = false
        return true
    }

    /// What became of one attempt.
    enum Attempt {
        /// Acknowledged with 200 (and answered, or its reply timeout counted).
        case accepted
        /// Refused (429, 4xx, 503): not stored.
        case refused
        /// No answer (timeout, connection error): it may or may not have been stored.
        case unknown
    }

    /// Staff prepare the order just confirmed and hand it over (the bot tells the customer each time and asks for a
    /// rating); the customer rates it 5 or 2 in turn (thanks and the promo, or the apology). Ends early, leaving
    /// the order where it is, if a move or the rating is not accepted.
    private mutating func deliverAndRate(
        until deadline: ContinuousClock.Instant, pacing: Pacing, context: LoadContext
    ) async {
        guard let staff = context.staff, ContinuousClock.now < deadline,
            let orderId = try? await staff.latestConfirmedOrder(customer: ledger.phone, restaurantId: restaurant.id)
        else { return }
        await pacing.pause()
        guard await staff.move(orderId: orderId, restaurantId: restaurant.id, to: "PREPARING") else { return }
        ledger.extraReplies += 1  // "being prepared"
        await pacing.pause()
        guard await staff.move(orderId: orderId, restaurantId: restaurant.id, to: "DELIVERED") else { return }
        ledger.extraReplies += 2  // "handed over" and the rating question
        if context.inbox.isWatching {
            _ = await context.inbox.waitForReply(count: expectedReplies, to: ledger.phone)
        }
        let high = ledger.ordersRated % 2 == 0
        let sid = WebhookSender.makeSid()
        // A high rating is answered twice (thanks, promo), a low one once (the apology).
        switch await deliver(
            high ? "5" : "2", sid: sid, extraReplies: high ? 1 : 0, until: deadline, pacing: pacing, context: context)
        {
        case .accepted: ledger.ordersRated += 1
        case .refused: ledger.refusedSids.append(sid)
        case .unknown:
            ledger.uncertain += 1
            ledger.uncertainSids.append(sid)
        }
    }

    /// Sends one message (`sid`) until it is answered 200 or ``RetryPolicy`` gives up: `.accepted`, or how the
    /// message was given up (`.unknown` when any attempt went unanswered, so it may have been stored).
    private mutating func deliver(
        _ text: String, sid: String, extraReplies: Int, until deadline: ContinuousClock.Instant, pacing: Pacing,
        context: LoadContext
    ) async -> Attempt {
        var given: Attempt = .refused
        for attempt in 0..<context.retry.attempts {
            let mayTry = attempt > 0 && context.retry.pastDeadline ? true : ContinuousClock.now < deadline
            guard mayTry, !Task.isCancelled else { break }
            let retrying = attempt > 0 && context.retry.backoff > .zero
            if retrying { try? await Task.sleep(for: context.retry.pause(before: attempt)) }
            switch await say(
                text, sid: sid, extraReplies: extraReplies, pacing: retrying ? nil : pacing, context: context)
            {
            case .accepted:
                ledger.acknowledgedSids.append(sid)
                return .accepted
            case .refused: break
            case .unknown: given = .unknown
            }
        }
        return given
    }

    /// Replies the flow prescribes so far.
    private var expectedReplies: Int {
        ledger.acknowledged * ConversationScript.repliesPerMessage + ledger.extraReplies
    }

    /// Sends `text` as `sid` when `pacing` says (at once for a retry, `pacing` nil), and waits for its replies (one,
    /// plus `extraReplies`).
    mutating func say(
        _ text: String, sid: String, extraReplies: Int, pacing: Pacing?, context: LoadContext
    ) async -> Attempt {
        let intended: ContinuousClock.Instant
        if let pacing {
            intended = await pacing.due(messageIndex: messagesSent)
            messagesSent += 1
        } else {
            intended = .now
        }
        var sample = LoadSample()
        sample.sentAt = intended
        defer { context.recorder.record(sample, into: group) }
        let outcome = await send(text, sid: sid, context: context, sample: &sample)
        sample.ack = ContinuousClock.now - intended
        switch outcome {
        case .acknowledged:
            ledger.acknowledged += 1
            ledger.extraReplies += extraReplies
            sample.acknowledged = 1
        case .throttled(let bucket):
            sample.throttled = bucket
            return .refused
        case .failed:
            sample.error = outcome.errorKind ?? "unknown"
            return .refused
        case .transport:
            sample.error = outcome.errorKind ?? "unknown"
            return .unknown
        }
        guard context.inbox.isWatching else { return .accepted }
        guard let arrived = await context.inbox.waitForReply(count: expectedReplies, to: ledger.phone) else {
            // The message was stored and the bot's state moved on: the script goes on, the timeout is counted.
            ledger.replyTimeouts += 1
            sample.error = "reply timeout"
            return .accepted
        }
        sample.reply = arrived - intended
        return .accepted
    }

    /// Posts `text` (`duplicates` copies at once with one sid, as a Twilio retry storm would) and returns the best
    /// answer: 200 if any copy got it.
    private func send(
        _ text: String, sid: String, context: LoadContext, sample: inout LoadSample
    ) async
        -> WebhookOutcome
    {
        sample.sent = context.duplicates
        guard context.duplicates > 1 else {
            return await context.sender.send(text, from: ledger.phone, to: restaurant, sid: sid)
        }
        let phone = ledger.phone
        let restaurant = restaurant
        return await withTaskGroup(of: WebhookOutcome.self) { group in
            for _ in 0..<context.duplicates {
                group.addTask { await context.sender.send(text, from: phone, to: restaurant, sid: sid) }
            }
            var best: WebhookOutcome?
            for await outcome in group where best != .acknowledged { best = outcome }
            return best ?? .transport("no copy sent")
        }
    }
}

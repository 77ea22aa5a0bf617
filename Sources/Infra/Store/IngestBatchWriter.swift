import Actors
import Foundation

/// Commits one batch of accepted webhooks and their decided bot steps in one transaction, with a handful of
/// multi-row statements whatever the batch size.
///
/// When every message of the batch has its step (and no two share a conversation or a MessageSid), the whole
/// transaction is written in advance and sent in **one** round trip (``writeInOneTrip(_:candidates:payloads:on:)``:
/// what it assumed is checked in SQL, and a failed check rolls it back). Otherwise, or after such a rollback, the
/// batch goes the careful way, in two round trips (three when a step confirms an order, whose reply shows the number
/// the confirmation's statement answers):
///
/// 1. one pipeline: `BEGIN` (every statement after it on generic plans that look rows up by index,
///    ``PGQuery/genericPlans``); the batch's new conversations created (`ON CONFLICT DO NOTHING`: an existing row is
///    not touched; a conversation whose step was decided from a stored version is known to have its row and is left
///    out, and should it be gone after all the batch starts again creating every one); every conversation of the batch
///    locked in key order (`SELECT … FOR NO KEY UPDATE`, so concurrent batches lock rows in the same order and cannot
///    deadlock each other), returning each row's id and version — the rows stay locked until commit; and the messages
///    inserted with `ON CONFLICT (sid) DO NOTHING`: a `MessageSid` stored before is a duplicate, and its step is
///    discarded; a new message whose step applies is born handled (the insert finds its conversation and decides that
///    in SQL, by the rule below, and Swift checks it came to the same answer);
/// 2. (every applied step's order effects, one pipeline for the whole batch, ``OrderEffectsWriter``: a round trip
///    of its own when a reply waits for a confirmed order's number, else the start of the last pipeline;)
/// 3. one pipeline: conversations moved (unread counts, times and profile name, and for each applied step its new
///    state and version), every reply of the batch by one insert (``ReplyRowsWriter``: born claimed under
///    ``claims`` where the restaurant's channel has room, queued otherwise), an audit line for each webhook that
///    left no message of its own (a duplicate; an accepted webhook's line is its message, migration 9), and
///    `COMMIT`.
///
/// The move is the batch's only write of an existing conversation row: one new row version per conversation per
/// batch (a conversation whose messages were all duplicates is locked and not written at all).
///
/// Every multi-row statement binds one array per column (``SQLArrayColumns``), so its text is the same for every
/// batch and each session prepares it once.
///
/// A step applies when its message is new, the conversation's stored version is the one it was decided from,
/// and it is the batch's first step decided from that version for that conversation; otherwise the message is stored unhandled and its
/// ConversationActor (or the sweeper) handles it from the row.
struct IngestBatchWriter {
    enum Item {
        case message(InboundWebhook, DecidedStep?, orderNumber: Int?)
        case auditOnly(InboundWebhook, String)

        var webhook: InboundWebhook {
            switch self {
            case .message(let message, _, _), .auditOnly(let message, _): message
            }
        }

        var step: DecidedStep? {
            if case .message(_, let step, _) = self { return step }
            return nil
        }
    }

    private struct Conversation {
        var id: String
        var version: Int64
    }

    /// An applied step's order effects.
    private typealias Effect = (index: Int, message: InboundWebhook, conversationId: String, writer: OrderEffectsWriter)
    /// An applied step's replies, rendered.
    private typealias PendingReplies = (index: Int, message: InboundWebhook, conversationId: String, replies: [Reply])

    /// SQLSTATE of `sufra_expect` (migration 10): an assumption of the one-round-trip batch did not hold.
    static let expectationFailed = "SUF01"

    /// What a batch wrote: one outcome per entry, and its replies by how they leave.
    struct Written {
        /// One per entry, in order (audit-only entries answer `.duplicate`, never read).
        var outcomes: [IngestOutcome]
        /// Replies written born claimed, by restaurant, in order: the restaurant's send loop takes them.
        var bornClaimed: [String: [OutboundJob]] = [:]
        /// Restaurants with replies written `queued`: their senders are woken to claim.
        var queuedRestaurants: Set<String> = []
        /// True when the batch went in one round trip (``writeInOneTrip(_:candidates:payloads:on:)``).
        var inOneRoundTrip = false
    }

    let entries: [Item]
    /// The leases under which each restaurant's replies may be written born claimed (room reserved in its channel).
    var claims: [String: ReplyRowsWriter.Claim] = [:]

    /// Writes and commits the batch on `connection` (outside any transaction); returns one outcome per entry, in
    /// order (audit-only entries answer `.duplicate`, never read). On any error the transaction is rolled back.
    func commit(on connection: PGConnection) async throws -> [IngestOutcome] {
        try await commitBatch(on: connection).outcomes
    }

    /// Writes and commits the batch; returns the outcomes and where its replies went.
    func commitBatch(on connection: PGConnection) async throws -> Written {
        do {
            return try await write(on: connection)
        } catch {
            // If ROLLBACK fails the connection is broken or still in a transaction; the pool then drops it.
            if connection.isInTransaction { _ = try? await connection.simpleQuery("ROLLBACK") }
            throw error
        }
    }

    /// Writes the batch; `creatingEvery` creates every conversation of the batch that does not exist, not only
    /// those whose actor had no stored row.
    private func write(on connection: PGConnection, creatingEvery: Bool = false) async throws -> Written {
        var outcomes = [IngestOutcome](repeating: .duplicate, count: entries.count)
        // Each webhook's parameters as JSON, built once for its message row or its audit line.
        let payloads = entries.map { Self.parametersJSON($0.webhook.parameters) }
        // First occurrence of each MessageSid in the batch is the candidate; later ones are duplicates.
        var seenSids: Set<String> = []
        var candidates: [Int] = []
        for (index, entry) in entries.enumerated() {
            guard case .message(let message, _, _) = entry, seenSids.insert(message.messageSid).inserted else {
                continue
            }
            candidates.append(index)
        }
        guard !candidates.isEmpty else {
            // Audit lines only: one statement, its own implicit transaction.
            if let audit = try auditQuery(outcomes, payloads: payloads) { try await connection.pipeline([audit]) }
            return Written(outcomes: outcomes)
        }

        if !creatingEvery, let oneTrip = oneTripPlan(candidates) {
            do {
                return try await writeInOneTrip(oneTrip, candidates: candidates, payloads: payloads, on: connection)
            } catch let error as PGError
                where error.sqlState == Self.expectationFailed || error.isUniqueViolation
            {
                // A conversation moved, or a MessageSid was stored before: written again the careful way.
                _ = try await connection.simpleQuery("ROLLBACK")
            }
        }
        let keys = Self.conversationKeys(candidates.map { entries[$0].webhook })
        // A conversation whose step was decided from a stored version (> 0) has its row: only the others may need
        // creating. Should one of those rows be gone after all, the batch starts again creating every row.
        var known: Set<ConversationKey> = []
        for index in candidates where !creatingEvery && (entries[index].step?.expectedVersion ?? 0) > 0 {
            known.insert(Self.key(entries[index].webhook))
        }
        let creating = keys.filter { !known.contains($0.key) }
        // Every statement of the batch finds its rows by key: on generic plans, each row an index lookup.
        var opening: [PGQuery] = ["BEGIN", .genericPlans]
        if !creating.isEmpty { opening.append(try Self.createQuery(creating)) }
        opening += [try Self.lockQuery(keys), try insertMessagesQuery(candidates, payloads: payloads)]
        let opened = try await connection.pipeline(opening)
        let conversations = try Self.conversations(from: opened[opened.count - 2])
        if !creatingEvery && conversations.count < keys.count {
            _ = try await connection.simpleQuery("ROLLBACK")
            return try await write(on: connection, creatingEvery: true)
        }
        // Which steps may apply: decided from the version now locked, and the first such step of their conversation.
        // The insert decided the same in SQL (its `handled_at`); the two must agree, or the batch is rolled back.
        var stepping: Set<Int> = []
        var steppedConversations: Set<String> = []
        for index in candidates {
            guard let step = entries[index].step, let conversation = conversations[Self.key(entries[index].webhook)],
                conversation.version == step.expectedVersion, steppedConversations.insert(conversation.id).inserted
            else { continue }
            stepping.insert(index)
        }
        let (inserted, bornHandled) = try Self.messageIds(from: opened[opened.count - 1])
        for index in candidates where inserted[entries[index].webhook.messageSid] != nil {
            guard stepping.contains(index) == bornHandled.contains(entries[index].webhook.messageSid) else {
                throw StepDisagreement(messageSid: entries[index].webhook.messageSid)
            }
        }

        var applied: [Int] = []
        var newMessages: [String: Move] = [:]
        for index in candidates {
            let message = entries[index].webhook
            guard inserted[message.messageSid] != nil, let conversation = conversations[Self.key(message)] else {
                continue
            }
            newMessages[conversation.id, default: Move()].count += 1
            if let profile = message.profileName { newMessages[conversation.id]?.profileName = profile }
            if stepping.contains(index) { applied.append(index) }
        }

        // Every applied step's order effects, in step order, as one pipeline.
        var effects: [Effect] = []
        for index in applied {
            guard case .message(let message, let step?, let orderNumber) = entries[index],
                let conversation = conversations[Self.key(message)], let messageId = inserted[message.messageSid]
            else { continue }
            effects.append(
                try Self.effect(
                    index, message, step, conversationId: conversation.id, messageId: messageId,
                    orderNumber: orderNumber))
        }
        let effectQueries = effects.flatMap(\.writer.queries)
        // Only a confirmation's reply needs an effect's answer (the order's number) before the replies are written:
        // then the effects take a round trip of their own; otherwise they open the last one, before the move.
        let effectsFirst =
            !effectQueries.isEmpty
            && effects.contains { effect in
                guard case .message(_, let step?, _) = entries[effect.index] else { return false }
                return step.replies.contains(where: \.needsOrderNumber)
            }
        var effectOutcomes: [Int: OrderEffectsWriter.Outcome] = [:]
        if effectsFirst {
            effectOutcomes = try Self.outcomes(of: effects, from: try await connection.pipeline(effectQueries)[...])
        }

        let pendingReplies = self.pendingReplies(
            effects, orderNumbers: effectOutcomes.compactMapValues(\.confirmedNumber))

        for index in candidates {
            let message = entries[index].webhook
            guard let messageId = inserted[message.messageSid], let conversation = conversations[Self.key(message)]
            else { continue }
            outcomes[index] = .accepted(IngestReceipt(messageId: messageId, conversationId: conversation.id, step: nil))
        }

        // The rest needs no answer before the next statement: one round trip, ending with the commit.
        let replyWriter = replyWriter(pendingReplies)
        var tail: [PGQuery] = effectsFirst ? [] : effectQueries
        let closing = try appendClosing(
            to: &tail, moves: newMessages, applied: applied, conversations: conversations, replies: replyWriter,
            outcomes: outcomes, payloads: payloads)
        let results = try await Self.committed(tail, on: connection)
        if !effectsFirst { effectOutcomes = try Self.outcomes(of: effects, from: results[..<closing.moveAt]) }
        return try finish(
            outcomes: outcomes, effects: effects, effectOutcomes: effectOutcomes, pendingReplies: pendingReplies,
            versions: try Self.versions(from: results[closing.moveAt]),
            queued: try replyWriter.written(from: closing.repliesAt.map { results[$0] }),
            applied: applied, conversations: conversations, candidates: candidates)
    }

    /// The writer of `pending`'s replies: born claimed under ``claims`` where the restaurant's channel has room.
    private func replyWriter(_ pending: [PendingReplies]) -> ReplyRowsWriter {
        ReplyRowsWriter(
            groups: pending.map {
                .init(
                    restaurantId: $0.message.restaurantId, conversationId: $0.conversationId, replies: $0.replies,
                    claim: claims[$0.message.restaurantId])
            })
    }

    /// Appends the transaction's closing statements to `queries`: the move, the replies, the audit lines and
    /// `COMMIT`; answers where the move's and the replies' answers will be.
    private func appendClosing(
        to queries: inout [PGQuery], moves: [String: Move], applied: [Int],
        conversations: [ConversationKey: Conversation], replies: ReplyRowsWriter, outcomes: [IngestOutcome],
        payloads: [String]
    ) throws -> (moveAt: Int, repliesAt: Int?) {
        let moveAt = queries.count
        queries.append(try moveQuery(moves, applied: applied, conversations: conversations))
        var repliesAt: Int?
        if let repliesQuery = try replies.query() {
            repliesAt = queries.count
            queries.append(repliesQuery)
        }
        if let audit = try auditQuery(outcomes, payloads: payloads) { queries.append(audit) }
        queries.append("COMMIT")
        return (moveAt, repliesAt)
    }

    /// Sends `queries` (ending in `COMMIT`) as one pipeline; throws when the commit rolled back.
    private static func committed(_ queries: [PGQuery], on connection: PGConnection) async throws -> [PGRows] {
        let results = try await connection.pipeline(queries)
        guard results[results.count - 1].commandTag != "ROLLBACK" else {
            throw PGError(.transactionRolledBack, "COMMIT rolled back: a statement in the transaction failed")
        }
        return results
    }

    /// A batch written in one round trip: each conversation's row as its step expects it, and the rows to create
    /// (new customers, under ids chosen here).
    private struct OneTripPlan {
        var conversations: [ConversationKey: Conversation] = [:]
        var creating: [(key: ConversationKey, id: String, profile: String?)] = []
    }

    /// The plan of a batch that can go in one round trip: every message is new to the batch and has a step, decided
    /// either from a stored row (its id and version known) or for a customer with no row yet (version 0: the row
    /// is created with an id chosen here), and no two share a conversation. Nil: the batch takes the careful path.
    private func oneTripPlan(_ candidates: [Int]) -> OneTripPlan? {
        let messages = entries.count(where: { if case .message = $0 { true } else { false } })
        guard candidates.count == messages else { return nil }
        var plan = OneTripPlan()
        for index in candidates {
            guard let step = entries[index].step else { return nil }
            let message = entries[index].webhook
            let id: String
            switch (step.expectedVersion, step.conversationId) {
            case (1..., let known?): id = known
            case (0, nil):
                id = UUID().uuidString.lowercased()
                plan.creating.append((Self.key(message), id, message.profileName))
            default: return nil
            }
            let previous = plan.conversations.updateValue(
                Conversation(id: id, version: step.expectedVersion), forKey: Self.key(message))
            guard previous == nil else { return nil }
        }
        plan.creating.sort { ($0.key.restaurantId, $0.key.customer) < ($1.key.restaurantId, $1.key.customer) }
        return plan
    }

    /// The batch written in advance, assuming every step applies, and sent with its `COMMIT` as one pipeline: new
    /// customers' rows created (no `ON CONFLICT`: a row there already fails the insert), the conversations locked
    /// in key order and checked to be at the rows and versions the steps were decided from (``checkQuery(_:)``),
    /// the messages inserted born handled (no `ON CONFLICT`: a MessageSid stored before fails the insert), then the
    /// effects (a confirmation must find its draft: its reply shows the number allocated for it), the move, the
    /// replies and the audit lines as on the careful path. A failed check or insert aborts the transaction, and
    /// the caller rolls back and takes the careful path.
    private func writeInOneTrip(
        _ plan: OneTripPlan, candidates: [Int], payloads: [String], on connection: PGConnection
    ) async throws -> Written {
        let conversations = plan.conversations
        var outcomes = [IngestOutcome](repeating: .duplicate, count: entries.count)
        var moves: [String: Move] = [:]
        var effects: [Effect] = []
        var numbers: [Int: Int] = [:]
        for index in candidates {
            guard case .message(let message, let step?, let orderNumber) = entries[index],
                let conversation = conversations[Self.key(message)]
            else { continue }
            moves[conversation.id] = Move(count: 1, profileName: message.profileName)
            effects.append(
                try Self.effect(
                    index, message, step, conversationId: conversation.id, messageId: nil, orderNumber: orderNumber,
                    requiringDraft: true))
            if step.confirmsOrder, let orderNumber { numbers[index] = orderNumber }
            // The receipt's message id comes with the insert's answer.
            outcomes[index] = .accepted(IngestReceipt(messageId: "", conversationId: conversation.id, step: nil))
        }
        let pendingReplies = pendingReplies(effects, orderNumbers: numbers)
        let replyWriter = replyWriter(pendingReplies)
        var queries: [PGQuery] = ["BEGIN", .genericPlans]
        if !plan.creating.isEmpty { queries.append(try Self.createKnownQuery(plan.creating)) }
        let insertAt = queries.count + 1
        queries.append(try Self.checkQuery(conversations))
        queries.append(try insertHandledQuery(candidates, conversations, payloads: payloads))
        queries += effects.flatMap(\.writer.queries)
        let closing = try appendClosing(
            to: &queries, moves: moves, applied: candidates, conversations: conversations, replies: replyWriter,
            outcomes: outcomes, payloads: payloads)
        let results = try await Self.committed(queries, on: connection)
        var ids: [String: String] = [:]
        for row in results[insertAt] { ids[try row.decode("sid", as: String.self)] = try row.decodeID("id") }
        for index in candidates {
            guard case .accepted(var receipt) = outcomes[index],
                let id = ids[entries[index].webhook.messageSid]
            else { throw StepDisagreement(messageSid: entries[index].webhook.messageSid) }
            receipt.messageId = id
            outcomes[index] = .accepted(receipt)
        }
        var written = try finish(
            outcomes: outcomes, effects: effects,
            effectOutcomes: try Self.outcomes(of: effects, from: results[(insertAt + 1)..<closing.moveAt]),
            pendingReplies: pendingReplies, versions: try Self.versions(from: results[closing.moveAt]),
            queued: try replyWriter.written(from: closing.repliesAt.map { results[$0] }),
            applied: candidates, conversations: conversations, candidates: candidates)
        written.inOneRoundTrip = true
        return written
    }

    /// Locks the batch's conversations in key order (as ``lockQuery(_:)`` does, so batches of either path never
    /// deadlock each other) and fails with `SUF01` unless each is the row, at the version, its step was decided from.
    private static func checkQuery(_ conversations: [ConversationKey: Conversation]) throws -> PGQuery {
        var columns = SQLArrayColumns(types: [.uuid, .text, .uuid, .bigint], rows: conversations.count)
        let ordered = conversations.sorted {
            ($0.key.restaurantId, $0.key.customer) < ($1.key.restaurantId, $1.key.customer)
        }
        for (key, conversation) in ordered {
            try columns.append([key.restaurantId, key.customer, conversation.id, String(conversation.version)])
        }
        return columns.query(
            """
            SELECT sufra_expect(coalesce(bool_and(c.id IS NOT NULL AND c.id = v.c AND c.version = v.e), false),
                'a conversation moved since its step was decided')
            FROM
            """,
            """
            WITH ORDINALITY AS v(r, k, c, e, o) LEFT JOIN LATERAL (
                SELECT id, version FROM conversations
                WHERE restaurant_id = v.r AND customer = v.k LIMIT 1 FOR NO KEY UPDATE
            ) AS c ON true
            """)
    }

    /// Creates new customers' conversation rows under the ids the batch chose, in key order; a row there already
    /// (another process was faster) fails the statement (unique violation).
    private static func createKnownQuery(
        _ creating: [(key: ConversationKey, id: String, profile: String?)]
    ) throws -> PGQuery {
        var columns = SQLArrayColumns(types: [.uuid, .uuid, .text, .text], rows: creating.count)
        for (key, id, profile) in creating { try columns.append([id, key.restaurantId, key.customer, profile]) }
        return columns.query(
            "INSERT INTO conversations (id, restaurant_id, customer, profile_name) SELECT * FROM", "")
    }

    /// Inserts the batch's messages born handled, each with its conversation's known id; a MessageSid stored before
    /// fails the statement (unique violation) rather than being skipped.
    private func insertHandledQuery(
        _ candidates: [Int], _ conversations: [ConversationKey: Conversation], payloads: [String]
    ) throws -> PGQuery {
        var columns = SQLArrayColumns(types: [.uuid, .uuid, .text, .jsonb, .text], rows: candidates.count)
        for index in candidates {
            let message = entries[index].webhook
            try columns.append([
                message.restaurantId, conversations[Self.key(message)]?.id, message.body, payloads[index],
                message.messageSid,
            ])
        }
        return columns.query(
            """
            INSERT INTO messages (restaurant_id, conversation_id, body, params, sid, direction, status, handled_at)
            SELECT v.r, v.c, v.b, v.p, v.s, 'inbound', 'received', now() FROM
            """,
            "AS v(r, c, b, p, s) RETURNING id, sid")
    }

    /// Entry `index`'s applied step as order effects on its conversation.
    private static func effect(
        _ index: Int, _ message: InboundWebhook, _ step: DecidedStep, conversationId: String, messageId: String?,
        orderNumber: Int?, requiringDraft: Bool = false
    ) throws -> Effect {
        let botStep = BotStep(
            key: key(message), conversationId: conversationId, expectedVersion: step.expectedVersion,
            state: step.state, language: step.language, effects: step.effects, replies: step.replies,
            handledMessageId: messageId)
        let writer = try OrderEffectsWriter(step: botStep, orderNumber: orderNumber, requiringDraft: requiringDraft)
        return (index, message, conversationId, writer)
    }

    /// Each applied step's rendered replies (a confirmation's with its order's number, when known).
    private func pendingReplies(_ effects: [Effect], orderNumbers: [Int: Int]) -> [PendingReplies] {
        var pending: [PendingReplies] = []
        for (index, message, conversationId, _) in effects {
            guard case .message(_, let step?, _) = entries[index] else { continue }
            let replies = step.replies.map { $0.rendered(orderNumber: orderNumbers[index]) }
            if !replies.isEmpty { pending.append((index, message, conversationId, replies)) }
        }
        return pending
    }

    /// What a committed batch wrote, from its statements' answers: each accepted message's step receipt (new
    /// version, queued reply ids, touched orders) and the replies born claimed or queued.
    private func finish(
        outcomes: [IngestOutcome], effects: [Effect], effectOutcomes: [Int: OrderEffectsWriter.Outcome],
        pendingReplies: [PendingReplies], versions: [String: Int64], queued: [ReplyRowsWriter.Written],
        applied: [Int], conversations: [ConversationKey: Conversation], candidates: [Int]
    ) throws -> Written {
        var written = Written(outcomes: outcomes)
        var outcomes = outcomes
        var receipts: [Int: StepReceipt] = [:]
        for effect in effects {
            guard case .message(_, let step?, _) = entries[effect.index] else { continue }
            receipts[effect.index] = StepReceipt(
                version: step.expectedVersion + 1, queuedMessageIds: [],
                orders: effectOutcomes[effect.index]?.touched ?? [])
        }
        for (pending, group) in zip(pendingReplies, queued) {
            receipts[pending.index]?.queuedMessageIds = group.ids
            let restaurant = pending.message.restaurantId
            guard group.bornClaimed else {
                if !group.ids.isEmpty { written.queuedRestaurants.insert(restaurant) }
                continue
            }
            // The customer wrote in this very batch: the 24-hour window is open.
            for (id, reply) in zip(group.ids, pending.replies) {
                written.bornClaimed[restaurant, default: []].append(
                    try Self.job(
                        id: id, restaurantId: restaurant, conversationId: pending.conversationId,
                        customer: pending.message.from, reply: reply))
            }
        }
        for index in applied {
            guard let conversation = conversations[Self.key(entries[index].webhook)],
                let version = versions[conversation.id], var receipt = receipts[index]
            else { continue }
            receipt.version = version
            receipts[index] = receipt
        }
        for index in candidates {
            guard case .accepted(var receipt) = outcomes[index] else { continue }
            receipt.step = receipts[index]
            outcomes[index] = .accepted(receipt)
        }
        written.outcomes = outcomes
        return written
    }

    /// Each step's order effects as their answers say, by entry index; `results` holds the answers of every
    /// effect statement of the batch, in order.
    private static func outcomes(
        of effects: [(index: Int, message: InboundWebhook, conversationId: String, writer: OrderEffectsWriter)],
        from results: ArraySlice<PGRows>
    ) throws -> [Int: OrderEffectsWriter.Outcome] {
        var results = results
        var outcomes: [Int: OrderEffectsWriter.Outcome] = [:]
        for effect in effects {
            outcomes[effect.index] = try effect.writer.outcome(of: results.prefix(effect.writer.queries.count))
            results = results.dropFirst(effect.writer.queries.count)
        }
        return outcomes
    }

    /// A reply written born claimed, as its send loop takes it.
    private static func job(
        id: String, restaurantId: String, conversationId: String, customer: String, reply: Reply
    ) throws -> OutboundJob {
        switch reply {
        case .text(let body):
            return OutboundJob(
                id: id, restaurantId: restaurantId, conversationId: conversationId, customer: customer, body: body,
                contentSid: nil, contentVariables: nil, attempts: 0, windowOpen: true)
        case .template(let contentSid, let variables):
            return OutboundJob(
                id: id, restaurantId: restaurantId, conversationId: conversationId, customer: customer, body: nil,
                contentSid: contentSid,
                contentVariables: String(decoding: try JSONEncoder().encode(variables), as: UTF8.self), attempts: 0,
                windowOpen: true)
        }
    }

    private static func key(_ message: InboundWebhook) -> ConversationKey {
        ConversationKey(restaurantId: message.restaurantId, customer: message.from)
    }

    /// The conversations of the batch's messages in key order, each with the last profile name its messages carry.
    private static func conversationKeys(_ messages: [InboundWebhook]) -> [(key: ConversationKey, profile: String?)] {
        var profileByKey: [ConversationKey: String?] = [:]
        for message in messages {
            let key = Self.key(message)
            if let profile = message.profileName {
                profileByKey[key] = profile
            } else if profileByKey[key] == nil {
                profileByKey[key] = .some(nil)
            }
        }
        return profileByKey.sorted { ($0.key.restaurantId, $0.key.customer) < ($1.key.restaurantId, $1.key.customer) }
            .map { (key: $0.key, profile: $0.value) }
    }

    /// Creates the conversations that do not exist yet; an existing row is left as it is (neither written nor
    /// locked: ``lockQuery(_:)`` does that).
    private static func createQuery(_ keys: [(key: ConversationKey, profile: String?)]) throws -> PGQuery {
        var columns = SQLArrayColumns(types: [.uuid, .text, .text], rows: keys.count)
        for (key, profile) in keys { try columns.append([key.restaurantId, key.customer, profile]) }
        return columns.query(
            "INSERT INTO conversations (restaurant_id, customer, profile_name) SELECT r, c, p FROM",
            "AS v(r, c, p) ON CONFLICT (restaurant_id, customer) DO NOTHING")
    }

    /// Locks every conversation of the batch in key order, returning its id and version. A separate statement
    /// after ``createQuery(_:)`` so that it sees the rows that statement created and those another transaction
    /// created and committed while it waited (each statement takes a new snapshot); `NO KEY` because the move
    /// changes no key, so other transactions' foreign-key checks on the rows do not wait. Each key is looked up and
    /// locked on its own through the unique index (the `LIMIT` keeps the planner from joining the batch with a scan
    /// of the whole table, which it prefers while the table is small), in the batch's order.
    private static func lockQuery(_ keys: [(key: ConversationKey, profile: String?)]) throws -> PGQuery {
        var columns = SQLArrayColumns(types: [.uuid, .text], rows: keys.count)
        for (key, _) in keys { try columns.append([key.restaurantId, key.customer]) }
        return columns.query(
            "SELECT c.id, c.restaurant_id, c.customer, c.version FROM",
            """
            WITH ORDINALITY AS v(r, k, o) CROSS JOIN LATERAL (
                SELECT id, restaurant_id, customer, version FROM conversations
                WHERE restaurant_id = v.r AND customer = v.k LIMIT 1 FOR NO KEY UPDATE
            ) AS c ORDER BY v.o
            """)
    }

    private static func conversations(from rows: PGRows) throws -> [ConversationKey: Conversation] {
        var conversations: [ConversationKey: Conversation] = [:]
        for row in rows {
            let key = ConversationKey(
                restaurantId: try row.decodeID("restaurant_id"), customer: try row.decode("customer", as: String.self))
            conversations[key] = Conversation(
                id: try row.decodeID("id"), version: try row.decode("version", as: Int64.self))
        }
        return conversations
    }

    /// Inserts the candidate messages, returning the new ones' ids and whether each was born handled. Sent in the
    /// same pipeline as the lock, so it decides in SQL which steps apply, by the rule ``write(on:)`` then applies
    /// in Swift: a message is born handled when its step was decided from its conversation's locked version and is
    /// the batch's first such step for that conversation. Its conversation is found by key (the rows the statements
    /// before it created or locked).
    private func insertMessagesQuery(_ candidates: [Int], payloads: [String]) throws -> PGQuery {
        var columns = SQLArrayColumns(types: [.uuid, .text, .text, .jsonb, .text, .bigint], rows: candidates.count)
        for index in candidates {
            let message = entries[index].webhook
            try columns.append([
                message.restaurantId, message.from, message.body, payloads[index], message.messageSid,
                entries[index].step.map { String($0.expectedVersion) },
            ])
        }
        return columns.query(
            """
            INSERT INTO messages (restaurant_id, conversation_id, body, params, sid, direction, status, handled_at)
            SELECT v.r, c.id, v.b, v.p, v.s, 'inbound', 'received',
                CASE WHEN v.e = c.version AND v.o = min(v.o) FILTER (WHERE v.e = c.version) OVER (PARTITION BY c.id)
                    THEN now() END
            FROM
            """,
            """
            WITH ORDINALITY AS v(r, k, b, p, s, e, o)
            JOIN conversations c ON c.restaurant_id = v.r AND c.customer = v.k
            ON CONFLICT (sid) WHERE sid IS NOT NULL DO NOTHING RETURNING id, sid, handled_at IS NOT NULL AS handled
            """)
    }

    /// The ids of the messages that were new, by MessageSid, and the MessageSids of those born handled.
    private static func messageIds(from rows: PGRows) throws -> (ids: [String: String], handled: Set<String>) {
        var ids: [String: String] = [:]
        var handled: Set<String> = []
        for row in rows {
            let sid = try row.decode("sid", as: String.self)
            ids[sid] = try row.decodeID("id")
            if try row.decode("handled", as: Bool.self) { handled.insert(sid) }
        }
        return (ids, handled)
    }

    /// The insert's choice of steps and the writer's disagree (a bug, never expected): the batch is rolled back.
    struct StepDisagreement: Error, CustomStringConvertible {
        let messageSid: String
        var description: String { "the batch's insert and writer chose different steps (message \(messageSid))" }
    }

    /// What the batch brings to one conversation: its new messages and the last profile name they carry.
    private struct Move {
        var count = 0
        var profileName: String?
    }

    /// Moves the conversations that got new messages (unread count, times, profile name) and, for applied steps,
    /// their state, language and version, returning the new versions: the batch's one write of each row.
    private func moveQuery(
        _ moves: [String: Move], applied: [Int], conversations: [ConversationKey: Conversation]
    ) throws -> PGQuery {
        var steps: [String: DecidedStep] = [:]
        for index in applied {
            if let conversation = conversations[Self.key(entries[index].webhook)], let step = entries[index].step {
                steps[conversation.id] = step
            }
        }
        var columns = SQLArrayColumns(types: [.uuid, .int, .text, .bool, .jsonb, .text], rows: moves.count)
        for (id, move) in moves.sorted(by: { $0.key < $1.key }) {
            if let step = steps[id] {
                try columns.append([
                    id, String(move.count), move.profileName, "t", step.state.storedJSON, step.language?.rawValue,
                ])
            } else {
                try columns.append([id, String(move.count), move.profileName, "f", nil, nil])
            }
        }
        return columns.query(
            """
            UPDATE conversations AS c SET unread_count = c.unread_count + v.n, last_message_at = now(),
                last_inbound_at = now(), updated_at = now(), profile_name = COALESCE(v.p, c.profile_name),
                bot_state = CASE WHEN v.a THEN v.s ELSE c.bot_state END,
                language = CASE WHEN v.a THEN v.l ELSE c.language END,
                version = c.version + CASE WHEN v.a THEN 1 ELSE 0 END
            FROM 
            """,
            " AS v(id, n, p, a, s, l) WHERE c.id = v.id RETURNING c.id, c.version")
    }

    /// The new versions by conversation id.
    private static func versions(from rows: PGRows) throws -> [String: Int64] {
        var versions: [String: Int64] = [:]
        for row in rows { versions[try row.decodeID("id")] = try row.decode("version", as: Int64.self) }
        return versions
    }

    /// The audit lines of the batch's webhooks that left no message of their own (throttled, duplicate), with their
    /// payloads; nil when there are none. An accepted webhook's line is its message (migration 9: the view
    /// `webhook_audit_log` reads it from there).
    private func auditQuery(_ outcomes: [IngestOutcome], payloads: [String]) throws -> PGQuery? {
        var columns = SQLArrayColumns(types: [.uuid, .text, .text, .jsonb])
        for (index, (entry, outcome)) in zip(entries, outcomes).enumerated() {
            let label: String
            switch (entry, outcome) {
            case (.auditOnly(_, let reason), _): label = reason
            case (.message, .accepted): continue
            case (.message, .duplicate): label = "duplicate"
            }
            let message = entry.webhook
            try columns.append([message.restaurantId, message.messageSid, label, payloads[index]])
        }
        guard !columns.isEmpty else { return nil }
        return columns.query(
            "INSERT INTO webhook_audit (restaurant_id, message_sid, outcome, payload) SELECT * FROM", "")
    }

    /// Every Twilio parameter as a JSON object, in arrival order; a repeated name keeps all its values in an array
    /// at its first place. Built as UTF-8 bytes, one append per run of bytes (appending to a `String` cost three
    /// checked appends per name and per value, 1.2 % of the server's samples): this runs for every webhook.
    static func parametersJSON(_ parameters: [(name: String, value: String)]) -> String {
        // Twilio repeats no name in practice: one hash per name finds out, and then each pair is written as it comes.
        var names = Set<String>(minimumCapacity: parameters.count)
        guard parameters.allSatisfy({ names.insert($0.name).inserted }) else {
            return Self.groupedParametersJSON(parameters)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(parameters.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 6 })
        bytes.append(UInt8(ascii: "{"))
        for (index, parameter) in parameters.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONText.appendQuoted(parameter.name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            JSONText.appendQuoted(parameter.value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ``parametersJSON(_:)`` when a name repeats: its values in an array at its first place.
    private static func groupedParametersJSON(_ parameters: [(name: String, value: String)]) -> String {
        var json = "{"
        var positions: [String: Int] = [:]
        var groups: [(name: String, values: [String])] = []
        for parameter in parameters {
            if let position = positions[parameter.name] {
                groups[position].values.append(parameter.value)
            } else {
                positions[parameter.name] = groups.count
                groups.append((parameter.name, [parameter.value]))
            }
        }
        for (index, group) in groups.enumerated() {
            if index > 0 { json += "," }
            JSONText.appendQuoted(group.name, to: &json)
            json += ":"
            guard group.values.count > 1 else {
                JSONText.appendQuoted(group.values[0], to: &json)
                continue
            }
            json += "["
            for (offset, value) in group.values.enumerated() {
                if offset > 0 { json += "," }
                JSONText.appendQuoted(value, to: &json)
            }
            json += "]"
        }
        json += "}"
        return json
    }
}

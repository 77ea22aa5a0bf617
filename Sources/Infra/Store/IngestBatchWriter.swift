import Actors
import Foundation

/// Writes one batch of accepted webhooks and their decided bot steps inside an open transaction, with a handful
/// of multi-row statements whatever the batch size (order effects aside, which are per step):
///
/// 1. conversations upserted in key order (so concurrent batches lock rows in the same order and cannot deadlock
///    each other), returning each row's id and version — the row stays locked until commit;
/// 2. messages inserted with `ON CONFLICT (sid) DO NOTHING`: a `MessageSid` stored before is a duplicate, and its
///    step is discarded; a new message whose step applies is born handled;
/// 3. conversations moved: unread counts and times, and for each applied step its new state and version;
/// 4. each applied step's order effects, then every reply of the batch by one insert (``ReplyRowsWriter``): born
///    claimed under ``claims`` where the restaurant's channel has room, queued otherwise;
/// 5. one audit line per webhook.
///
/// A step applies when its message is new, the conversation's stored version is the one it was decided from,
/// and it is the batch's first step for that conversation; otherwise the message is stored unhandled and its
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

    /// What a batch wrote: one outcome per entry, and its replies by how they leave.
    struct Written {
        /// One per entry, in order (audit-only entries answer `.duplicate`, never read).
        var outcomes: [IngestOutcome]
        /// Replies written born claimed, by restaurant, in order: the restaurant's send loop takes them.
        var bornClaimed: [String: [OutboundJob]] = [:]
        /// Restaurants with replies written `queued`: their senders are woken to claim.
        var queuedRestaurants: Set<String> = []
    }

    let entries: [Item]
    /// The leases under which each restaurant's replies may be written born claimed (room reserved in its channel).
    var claims: [String: ReplyRowsWriter.Claim] = [:]

    /// Returns one outcome per entry, in order (audit-only entries answer `.duplicate`, never read).
    func write(on connection: PGConnection) async throws -> [IngestOutcome] {
        try await writeBatch(on: connection).outcomes
    }

    /// Writes the batch; returns the outcomes and where its replies went.
    func writeBatch(on connection: PGConnection) async throws -> Written {
        var written = Written(outcomes: [])
        var outcomes = [IngestOutcome](repeating: .duplicate, count: entries.count)
        // Each webhook's parameters as JSON, built once for its message row and its audit line.
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
            try await insertAudit(outcomes, payloads: payloads, on: connection)
            written.outcomes = outcomes
            return written
        }

        let conversations = try await upsertConversations(candidates.map { entries[$0].webhook }, on: connection)
        // Which steps may apply: decided from the version now locked, and the first step of their conversation.
        var stepping: Set<Int> = []
        var steppedConversations: Set<String> = []
        for index in candidates {
            guard let step = entries[index].step, let conversation = conversations[Self.key(entries[index].webhook)],
                conversation.version == step.expectedVersion, steppedConversations.insert(conversation.id).inserted
            else { continue }
            stepping.insert(index)
        }
        let inserted = try await insertMessages(
            candidates, conversations: conversations, stepping: stepping, payloads: payloads, on: connection)

        var applied: [Int] = []
        var newMessages: [String: Int] = [:]
        for index in candidates {
            let message = entries[index].webhook
            guard inserted[message.messageSid] != nil, let conversation = conversations[Self.key(message)] else {
                continue
            }
            newMessages[conversation.id, default: 0] += 1
            if stepping.contains(index) { applied.append(index) }
        }
        let versions = try await moveConversations(
            newMessages, applied: applied, conversations: conversations, on: connection)

        var receipts: [Int: StepReceipt] = [:]
        var pendingReplies: [(index: Int, message: InboundWebhook, conversationId: String, replies: [Reply])] = []
        for index in applied {
            guard case .message(let message, let step?, let orderNumber) = entries[index],
                let conversation = conversations[Self.key(message)], let messageId = inserted[message.messageSid]
            else { continue }
            let botStep = BotStep(
                key: Self.key(message), conversationId: conversation.id, expectedVersion: step.expectedVersion,
                state: step.state, language: step.language, effects: step.effects, replies: step.replies,
                handledMessageId: messageId)
            var orders = OrderEffectsWriter(step: botStep, connection: connection, orderNumber: orderNumber)
            for effect in step.effects { try await orders.apply(effect) }
            receipts[index] = StepReceipt(
                version: versions[conversation.id] ?? step.expectedVersion + 1, queuedMessageIds: [],
                orders: orders.touched)
            let replies = step.replies.map { $0.rendered(orderNumber: orders.confirmedNumber) }
            if !replies.isEmpty { pendingReplies.append((index, message, conversation.id, replies)) }
        }
        let queued = try await ReplyRowsWriter(
            groups: pendingReplies.map {
                .init(
                    restaurantId: $0.message.restaurantId, conversationId: $0.conversationId, replies: $0.replies,
                    claim: claims[$0.message.restaurantId])
            }
        ).insert(on: connection)
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

        for index in candidates {
            let message = entries[index].webhook
            guard let messageId = inserted[message.messageSid], let conversation = conversations[Self.key(message)]
            else { continue }
            outcomes[index] = .accepted(
                IngestReceipt(messageId: messageId, conversationId: conversation.id, step: receipts[index]))
        }
        try await insertAudit(outcomes, payloads: payloads, on: connection)
        written.outcomes = outcomes
        return written
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

    private func upsertConversations(
        _ messages: [InboundWebhook], on connection: PGConnection
    ) async throws -> [ConversationKey: Conversation] {
        var profileByKey: [ConversationKey: String?] = [:]
        for message in messages {
            let key = Self.key(message)
            if let profile = message.profileName {
                profileByKey[key] = profile
            } else if profileByKey[key] == nil {
                profileByKey[key] = .some(nil)
            }
        }
        let ordered = profileByKey.keys.sorted {
            ($0.restaurantId, $0.customer) < ($1.restaurantId, $1.customer)
        }
        var values = SQLValuesBuilder(casts: ["uuid", "text", "text"])
        for key in ordered { values.append([key.restaurantId, key.customer, profileByKey[key] ?? nil]) }
        let rows = try await connection.query(
            values.query(
                prefix: "INSERT INTO conversations (restaurant_id, customer, profile_name) VALUES ",
                suffix: """
                    ON CONFLICT (restaurant_id, customer) DO UPDATE
                    SET profile_name = COALESCE(EXCLUDED.profile_name, conversations.profile_name)
                    RETURNING id, restaurant_id, customer, version
                    """))
        var conversations: [ConversationKey: Conversation] = [:]
        for row in rows {
            let key = ConversationKey(
                restaurantId: try row.decode("restaurant_id", as: UUID.self).uuidString.lowercased(),
                customer: try row.decode("customer", as: String.self))
            conversations[key] = Conversation(
                id: try row.decode("id", as: UUID.self).uuidString.lowercased(),
                version: try row.decode("version", as: Int64.self))
        }
        return conversations
    }

    /// Inserts the candidate messages (born handled when their step applies); returns the ids of those that
    /// were new, by MessageSid.
    private func insertMessages(
        _ candidates: [Int], conversations: [ConversationKey: Conversation], stepping: Set<Int>, payloads: [String],
        on connection: PGConnection
    ) async throws -> [String: String] {
        var values = SQLValuesBuilder(casts: ["uuid", "uuid", "text", "jsonb", "text", "bool"])
        for index in candidates {
            let message = entries[index].webhook
            values.append([
                message.restaurantId, conversations[Self.key(message)]?.id, message.body, payloads[index],
                message.messageSid, stepping.contains(index),
            ])
        }
        let rows = try await connection.query(
            values.query(
                prefix: """
                    INSERT INTO messages (restaurant_id, conversation_id, body, params, sid, direction, status,
                        handled_at)
                    SELECT v.r, v.c, v.b, v.p, v.s, 'inbound', 'received', CASE WHEN v.h THEN now() END FROM (VALUES
                    """,
                suffix: """
                    ) AS v(r, c, b, p, s, h) ON CONFLICT (sid) WHERE sid IS NOT NULL DO NOTHING RETURNING id, sid
                    """))
        var ids: [String: String] = [:]
        for row in rows {
            ids[try row.decode("sid", as: String.self)] = try row.decode("id", as: UUID.self).uuidString.lowercased()
        }
        return ids
    }

    /// Moves the conversations that got new messages (unread count, times) and, for applied steps, their state,
    /// language and version. Returns the new versions by conversation id.
    private func moveConversations(
        _ counts: [String: Int], applied: [Int], conversations: [ConversationKey: Conversation],
        on connection: PGConnection
    ) async throws -> [String: Int64] {
        guard !counts.isEmpty else { return [:] }
        var steps: [String: DecidedStep] = [:]
        for index in applied {
            if let conversation = conversations[Self.key(entries[index].webhook)], let step = entries[index].step {
                steps[conversation.id] = step
            }
        }
        var values = SQLValuesBuilder(casts: ["uuid", "int", "bool", "jsonb", "text"])
        for (id, count) in counts.sorted(by: { $0.key < $1.key }) {
            if let step = steps[id] {
                let state = String(decoding: try JSONEncoder().encode(step.state), as: UTF8.self)
                values.append([id, count, true, state, step.language?.rawValue])
            } else {
                values.append([id, count, false, nil, nil])
            }
        }
        let rows = try await connection.query(
            values.query(
                prefix: """
                    UPDATE conversations AS c SET unread_count = c.unread_count + v.n, last_message_at = now(),
                        last_inbound_at = now(), updated_at = now(),
                        bot_state = CASE WHEN v.a THEN v.s ELSE c.bot_state END,
                        language = CASE WHEN v.a THEN v.l ELSE c.language END,
                        version = c.version + CASE WHEN v.a THEN 1 ELSE 0 END
                    FROM (VALUES
                    """,
                suffix: ") AS v(id, n, a, s, l) WHERE c.id = v.id RETURNING c.id, c.version"))
        var versions: [String: Int64] = [:]
        for row in rows {
            versions[try row.decode("id", as: UUID.self).uuidString.lowercased()] = try row.decode(
                "version", as: Int64.self)
        }
        return versions
    }

    private func insertAudit(
        _ outcomes: [IngestOutcome], payloads: [String], on connection: PGConnection
    ) async throws {
        var values = SQLValuesBuilder(casts: ["uuid", "text", "text", "jsonb"])
        for (index, (entry, outcome)) in zip(entries, outcomes).enumerated() {
            let label: String
            switch (entry, outcome) {
            case (.auditOnly(_, let reason), _): label = reason
            case (.message, .accepted): label = "accepted"
            case (.message, .duplicate): label = "duplicate"
            }
            let message = entry.webhook
            values.append([message.restaurantId, message.messageSid, label, payloads[index]])
        }
        _ = try await connection.execute(
            values.query(
                prefix: "INSERT INTO webhook_audit (restaurant_id, message_sid, outcome, payload) VALUES "))
    }

    /// Every Twilio parameter as a JSON object; a repeated name keeps all its values in an array.
    static func parametersJSON(_ parameters: [(name: String, value: String)]) -> String {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in parameters {
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(value)
        }
        let members = order.map { name -> String in
            let all = values[name] ?? []
            let value =
                all.count == 1 ? JSONText.quoted(all[0]) : "[" + all.map(JSONText.quoted).joined(separator: ",") + "]"
            return JSONText.quoted(name) + ":" + value
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}

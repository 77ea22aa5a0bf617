import Actors
import Foundation

/// Writes one batch of accepted webhooks inside an open transaction, with a handful of multi-row statements
/// whatever the batch size: conversations upserted (in key order, so concurrent batches lock rows in the same
/// order and cannot deadlock each other), messages inserted with `ON CONFLICT (sid) DO NOTHING`, unread
/// counts and times moved for the conversations that got new messages, one audit line per webhook.
struct IngestBatchWriter {
    enum Item {
        case message(InboundWebhook)
        case auditOnly(InboundWebhook, String)

        var webhook: InboundWebhook {
            switch self {
            case .message(let message), .auditOnly(let message, _): message
            }
        }
    }

    let entries: [Item]

    /// Returns one outcome per entry, in order (audit-only entries answer `.duplicate`, never read).
    func write(on connection: PostgresConnection) async throws -> [IngestOutcome] {
        var outcomes = [IngestOutcome](repeating: .duplicate, count: entries.count)
        // First occurrence of each MessageSid in the batch is the candidate; later ones are duplicates.
        var firstIndexBySid: [String: Int] = [:]
        var candidates: [Int] = []
        for (index, entry) in entries.enumerated() {
            guard case .message(let message) = entry else { continue }
            if firstIndexBySid[message.messageSid] == nil {
                firstIndexBySid[message.messageSid] = index
                candidates.append(index)
            }
        }

        var conversationIds: [ConversationKey: String] = [:]
        if !candidates.isEmpty {
            conversationIds = try await upsertConversations(candidates.map { entries[$0].webhook }, on: connection)
            let inserted = try await insertMessages(candidates, conversationIds: conversationIds, on: connection)
            var newMessagesByConversation: [String: Int] = [:]
            for index in candidates {
                let message = entries[index].webhook
                guard let messageId = inserted[message.messageSid],
                    let conversationId = conversationIds[Self.key(message)]
                else { continue }
                outcomes[index] = .accepted(messageId: messageId, conversationId: conversationId)
                newMessagesByConversation[conversationId, default: 0] += 1
            }
            try await bumpConversations(newMessagesByConversation, on: connection)
        }
        try await insertAudit(outcomes, on: connection)
        return outcomes
    }

    private static func key(_ message: InboundWebhook) -> ConversationKey {
        ConversationKey(restaurantId: message.restaurantId, customer: message.from)
    }

    private func upsertConversations(
        _ messages: [InboundWebhook], on connection: PostgresConnection
    ) async throws -> [ConversationKey: String] {
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
                    RETURNING id, restaurant_id, customer
                    """))
        var ids: [ConversationKey: String] = [:]
        for row in rows {
            let key = ConversationKey(
                restaurantId: try row.decode("restaurant_id", as: UUID.self).uuidString.lowercased(),
                customer: try row.decode("customer", as: String.self))
            ids[key] = try row.decode("id", as: UUID.self).uuidString.lowercased()
        }
        return ids
    }

    /// Inserts the candidate messages; returns the ids of those that were new, by MessageSid.
    private func insertMessages(
        _ candidates: [Int], conversationIds: [ConversationKey: String], on connection: PostgresConnection
    ) async throws -> [String: String] {
        var values = SQLValuesBuilder(casts: ["uuid", "uuid", "text", "jsonb", "text"])
        for index in candidates {
            let message = entries[index].webhook
            values.append([
                message.restaurantId, conversationIds[Self.key(message)], message.body,
                Self.parametersJSON(message.parameters), message.messageSid,
            ])
        }
        let rows = try await connection.query(
            values.query(
                prefix: """
                    INSERT INTO messages (restaurant_id, conversation_id, body, params, sid, direction, status)
                    SELECT v.*, 'inbound', 'received' FROM (VALUES
                    """,
                suffix: ") AS v ON CONFLICT (sid) WHERE sid IS NOT NULL DO NOTHING RETURNING id, sid"))
        var ids: [String: String] = [:]
        for row in rows {
            ids[try row.decode("sid", as: String.self)] = try row.decode("id", as: UUID.self).uuidString.lowercased()
        }
        return ids
    }

    private func bumpConversations(_ counts: [String: Int], on connection: PostgresConnection) async throws {
        guard !counts.isEmpty else { return }
        var values = SQLValuesBuilder(casts: ["uuid", "int"])
        for (id, count) in counts.sorted(by: { $0.key < $1.key }) { values.append([id, count]) }
        _ = try await connection.execute(
            values.query(
                prefix: """
                    UPDATE conversations AS c SET unread_count = c.unread_count + v.n, last_message_at = now(),
                    last_inbound_at = now(), updated_at = now() FROM (VALUES
                    """,
                suffix: ") AS v(id, n) WHERE c.id = v.id"))
    }

    private func insertAudit(_ outcomes: [IngestOutcome], on connection: PostgresConnection) async throws {
        var values = SQLValuesBuilder(casts: ["uuid", "text", "text", "jsonb"])
        for (entry, outcome) in zip(entries, outcomes) {
            let label: String
            switch (entry, outcome) {
            case (.auditOnly(_, let reason), _): label = reason
            case (.message, .accepted): label = "accepted"
            case (.message, .duplicate): label = "duplicate"
            }
            let message = entry.webhook
            values.append([message.restaurantId, message.messageSid, label, Self.parametersJSON(message.parameters)])
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

import SufraDev

/// Matches what Twilio (the sandbox) accepted against the outbound rows, reply by reply: a reply delivered twice,
/// a dead letter whose reply did reach the customer, a row whose reply never arrived.
///
/// Rows and accepted messages are grouped by customer and text (body, or template for a template). Within a group,
/// a row and a message with the same sid are one delivery. An accepted message no row carries the sid of is the
/// delivery of a row that never recorded it (a row without a sid, or with a sid Twilio does not have), if one is
/// left; otherwise it is a duplicate.
struct DeliveryAudit: Sendable {
    /// One outbound row.
    struct Row: Sendable {
        var customer: String
        var text: String
        var sid: String?
        var status: String
        /// When the send was recorded (seconds since 1970).
        var sentAt: Double?
    }

    /// What the audit found.
    struct Findings: Sendable, Codable, Equatable {
        /// Messages the sandbox accepted.
        var delivered = 0
        /// Replies delivered more than once (each extra copy counts).
        var duplicates = 0
        /// Of those, copies in a group with a message accepted within the window of a kill of a sending process
        /// (from 16 s before the kill — a send in flight, the 15 s Twilio timeout — to 1 s after).
        var duplicatesInKillWindow = 0
        /// Rows `dead` (or `failed`) whose reply the sandbox accepted.
        var deadLettersDelivered = 0
        /// Rows whose reply the sandbox never accepted (by the end of the settle time).
        var undelivered = 0
        /// Rows `dead` in all.
        var deadLetters = 0
        /// Rows whose send was recorded 5 s or more after Twilio accepted it: the answer was lost (a kill, a late
        /// answer) and the receipt or the lookup before a resend settled the row, without a second copy.
        var settledLate = 0
    }

    /// The rows.
    var rows: [Row]
    /// What the sandbox accepted.
    var accepted: [SandboxMessage]
    /// Wall-clock times (seconds since 1970) of kills of a sending process.
    var senderKills: [Double]

    /// Audits.
    func findings() -> Findings {
        var findings = Findings()
        findings.delivered = accepted.count
        findings.deadLetters = rows.filter { $0.status == "dead" }.count
        struct Key: Hashable {
            var customer: String
            var text: String
        }
        let acceptedSids = Set(accepted.map(\.sid))
        let acceptedAt = Dictionary(accepted.map { ($0.sid, Double($0.createdAt)) }) { first, _ in first }
        findings.settledLate =
            rows.filter { row in
                guard let sid = row.sid, let sentAt = row.sentAt, let accepted = acceptedAt[sid] else { return false }
                return sentAt - accepted >= 5
            }.count
        let rowSids = Set(rows.compactMap(\.sid))
        var unmatchedRows: [Key: [Row]] = [:]
        for row in rows where row.sid.map({ !acceptedSids.contains($0) }) ?? true {
            unmatchedRows[Key(customer: row.customer, text: row.text), default: []].append(row)
        }
        var orphans: [Key: [SandboxMessage]] = [:]
        for message in accepted where !rowSids.contains(message.sid) {
            orphans[Key(customer: message.to, text: message.body ?? message.contentSid ?? ""), default: []].append(
                message)
        }
        for key in Set(unmatchedRows.keys).union(orphans.keys) {
            let rows = unmatchedRows[key] ?? []
            let copies = orphans[key] ?? []
            let paired = min(rows.count, copies.count)
            // A row that never recorded its delivery: any dead or failed one among them is a dead letter delivered.
            findings.deadLettersDelivered += min(
                paired, rows.filter { $0.status == "dead" || $0.status == "failed" }.count)
            findings.undelivered += rows.count - paired
            let extra = copies.count - paired
            guard extra > 0 else { continue }
            findings.duplicates += extra
            if copies.contains(where: inKillWindow) { findings.duplicatesInKillWindow += extra }
        }
        return findings
    }

    private func inKillWindow(_ message: SandboxMessage) -> Bool {
        let accepted = Double(message.createdAt)
        return senderKills.contains { accepted >= $0 - 16 && accepted <= $0 + 1 }
    }
}

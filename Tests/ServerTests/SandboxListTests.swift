import Foundation
import Infra
import Server
import SufraDev
import Testing

/// The sandbox's Messages list (Twilio's JSON shape and filters), the lost-answer fault, and the client's lookup
/// over them.
@Suite("TwilioSandbox list and lost answers")
struct SandboxListTests {
    static let account = SandboxTests.account
    static let from = "whatsapp:+14155238886"

    static func list(
        _ base: String, _ query: String, token: String = SandboxTests.account.authToken
    ) async throws
        -> (status: Int, json: [String: Any])
    {
        let credentials = Base64.encode(Array((account.sid + ":" + token).utf8))
        let response = try await CurlClient().execute(
            CurlClientRequest(
                url: base + "/2010-04-01/Accounts/\(account.sid)/Messages.json?" + query,
                headers: [("Authorization", "Basic " + credentials)]))
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return (response.status, json)
    }

    @Test func theListHasTwilioShapeNewestFirstWithFiltersAndPages() async throws {
        try await withSandbox { sandbox, base in
            sandbox.registerAccount(sid: Self.account.sid, authToken: Self.account.authToken)
            let client = TwilioClient(http: CurlClient(), apiBase: base)
            for index in 1...3 {
                _ = await client.send(account: Self.account, message: SandboxTests.text("whatsapp:+1700", "m\(index)"))
            }
            _ = await client.send(account: Self.account, message: SandboxTests.text("whatsapp:+1701", "other"))

            let query = FormURLEncoding.encode([("To", "whatsapp:+1700"), ("From", Self.from), ("PageSize", "2")])
            let first = try await Self.list(base, query)
            #expect(first.status == 200)
            let messages = first.json["messages"] as? [[String: Any]] ?? []
            #expect(messages.map { $0["body"] as? String } == ["m3", "m2"])
            #expect(first.json["page"] as? Int == 0 && first.json["page_size"] as? Int == 2)
            #expect(first.json.keys.contains("previous_page_uri") && first.json["first_page_uri"] is String)
            let message = messages.first ?? [:]
            for field in ["sid", "to", "from", "body", "status", "date_created", "date_sent", "account_sid"] {
                #expect(message[field] is String, "field \(field)")
            }
            let created = TwilioDate.parse(message["date_created"] as? String ?? "") ?? 0
            #expect(abs(created - Int64(Date().timeIntervalSince1970)) < 60)
            guard let next = first.json["next_page_uri"] as? String else { throw TestFailure("no next page") }
            let second = try await Self.list(base, String(next.drop { $0 != "?" }.dropFirst()))
            #expect((second.json["messages"] as? [[String: Any]] ?? []).map { $0["body"] as? String } == ["m1"])
            #expect(second.json["next_page_uri"] is NSNull)

            let today = TwilioDate.day(seconds: Int64(Date().timeIntervalSince1970))
            let onDay = try await Self.list(base, FormURLEncoding.encode([("DateSent", today)]))
            #expect((onDay.json["messages"] as? [Any])?.count == 4)
            let before = try await Self.list(base, FormURLEncoding.encode([("DateSent<", "2001-01-01")]))
            #expect((before.json["messages"] as? [Any])?.count == 0)
            #expect(try await Self.list(base, "", token: "wrong").status == 401)
        }
    }

    @Test func aLostAnswerIsRecordedByTheSandboxAndFoundByTheLookup() async throws {
        try await withSandbox { sandbox, base in
            sandbox.registerAccount(sid: Self.account.sid, authToken: Self.account.authToken)
            let since = Int64(Date().timeIntervalSince1970)
            sandbox.inject(.acceptThenLoseAnswer(milliseconds: 2_000), account: Self.account.sid)
            let impatient = TwilioClient(http: CurlClient(), apiBase: base, timeout: .milliseconds(300))
            let result = await impatient.send(
                account: Self.account, message: SandboxTests.text("whatsapp:+1702", "lost"))
            guard case .uncertain = result else { throw TestFailure("a lost answer gave \(result)") }
            let recorded = sandbox.messages(to: "whatsapp:+1702")
            #expect(recorded.map(\.body) == ["lost"])

            let client = TwilioClient(http: CurlClient(), apiBase: base)
            let found = await client.findMessage(
                account: Self.account, to: "whatsapp:+1702", from: Self.from, body: "lost", since: since)
            #expect(found == .found(sid: recorded.first?.sid ?? ""))
            #expect(
                await client.findMessage(
                    account: Self.account, to: "whatsapp:+1702", from: Self.from, body: "other", since: since)
                    == .notFound)
            #expect(
                await client.findMessage(
                    account: Self.account, to: "whatsapp:+1702", from: Self.from, body: "lost", since: since + 3600)
                    == .notFound)
            let refused = await client.findMessage(
                account: TwilioAccount(sid: Self.account.sid, authToken: "wrong"), to: "whatsapp:+1702",
                from: Self.from, body: "lost", since: since)
            guard case .failed = refused else { throw TestFailure("a refused lookup gave \(refused)") }
        }
    }

    /// A template is matched without its body: the conversation's message sent just before must not be taken
    /// for it.
    @Test func theLookupSkipsTheConversationsOtherMessages() async throws {
        try await withSandbox { sandbox, base in
            sandbox.registerAccount(sid: Self.account.sid, authToken: Self.account.authToken)
            let since = Int64(Date().timeIntervalSince1970)
            let client = TwilioClient(http: CurlClient(), apiBase: base)
            let to = "whatsapp:+1704"
            guard case .sent(let previous, _) = await client.send(account: Self.account, message: SandboxTests.text(to))
            else { throw TestFailure("not sent") }
            #expect(
                await client.findMessage(
                    account: Self.account, to: to, from: Self.from, body: nil, since: since, excluding: [previous])
                    == .notFound)
            guard case .sent(let same, _) = await client.send(account: Self.account, message: SandboxTests.text(to))
            else { throw TestFailure("not sent") }
            #expect(
                await client.findMessage(
                    account: Self.account, to: to, from: Self.from, body: "hello", since: since, excluding: [previous])
                    == .found(sid: same))
        }
    }

    @Test func aConnectionThatNeverCarriedTheRequestIsSafeToRetry() async throws {
        // Nothing listens on port 1: connection refused, nothing sent.
        let client = TwilioClient(http: CurlClient(), apiBase: "http://127.0.0.1:1", timeout: .seconds(2))
        let result = await client.send(account: Self.account, message: SandboxTests.text("whatsapp:+1703"))
        guard case .retryLater = result else { throw TestFailure("refused connection gave \(result)") }
    }

    @Test func twilioDatesRoundTrip() {
        #expect(TwilioDate.format(seconds: 1_692_853_305) == "Thu, 24 Aug 2023 05:01:45 +0000")
        #expect(TwilioDate.parse("Thu, 24 Aug 2023 05:01:45 +0000") == 1_692_853_305)
        #expect(TwilioDate.parse("Thu, 24 Aug 2023 08:01:45 +0300") == 1_692_853_305)
        #expect(TwilioDate.format(seconds: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 +0000")
        #expect(TwilioDate.day(seconds: 1_692_853_305) == "2023-08-24")
        #expect(TwilioDate.parse("yesterday") == nil)
    }
}

import Foundation
import Hummingbird
import Infra
import Server
import SufraDev
import Synchronization
import Testing

/// Runs a sandbox alone on a free port for the duration of `body`.
func withSandbox<T: Sendable>(
    _ sandbox: TwilioSandbox = TwilioSandbox(), _ body: (TwilioSandbox, String) async throws -> T
) async throws -> T {
    let (ports, portInput) = AsyncStream<Int>.makeStream()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await sandbox.run(port: 0) { port in portInput.yield(port) } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        defer { group.cancelAll() }
        return try await body(sandbox, "http://127.0.0.1:\(port)")
    }
}

@Suite("TwilioSandbox", .timeLimit(.minutes(3)))
struct SandboxTests {
    static let account = TwilioAccount(sid: "AC" + String(repeating: "a", count: 32), authToken: "token-1")

    static func text(_ to: String, _ body: String = "hello") -> OutboundTwilioMessage {
        OutboundTwilioMessage(to: to, from: "whatsapp:+14155238886", content: .body(body))
    }

    @Test func fiveHundredConcurrentSendsCompleteOverFewConnections() async throws {
        try await withSandbox { sandbox, base in
            sandbox.registerAccount(sid: Self.account.sid, authToken: Self.account.authToken)
            let http = CurlClient()
            let client = TwilioClient(http: http, apiBase: base)
            let results = await withTaskGroup(of: TwilioSendResult.self) { group in
                for index in 0..<500 {
                    group.addTask {
                        await client.send(account: Self.account, message: Self.text("whatsapp:+1\(index)"))
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let sids = results.compactMap { result -> String? in
                if case .sent(let sid, "queued") = result { sid } else { nil }
            }
            #expect(sids.count == 500)
            #expect(Set(sids).count == 500)
            #expect(sids.allSatisfy { $0.hasPrefix("SM") && $0.count == 34 })
            let recorded = try await sandbox.waitForMessages(count: 500)
            #expect(recorded.count == 500)
            let opened = await http.connectionsOpened
            #expect(opened >= 1 && opened <= 64, "opened \(opened) connections for 500 requests")
        }
    }

    @Test func eachFaultMapsToItsTypedResult() async throws {
        try await withSandbox { sandbox, base in
            sandbox.registerAccount(sid: Self.account.sid, authToken: Self.account.authToken)
            let client = TwilioClient(http: CurlClient(), apiBase: base, timeout: .seconds(10))
            let to = "whatsapp:+15550001"
            func send() async -> TwilioSendResult { await client.send(account: Self.account, message: Self.text(to)) }

            sandbox.inject(.tooManyRequests(retryAfterSeconds: 3), account: Self.account.sid, times: 2)
            #expect(await send() == .retryLater(after: .seconds(3), reason: "20429: Too Many Requests"))
            #expect(await send() == .retryLater(after: .seconds(3), reason: "20429: Too Many Requests"))
            sandbox.inject(.serverError, account: Self.account.sid)
            #expect(await send() == .retryLater(after: nil, reason: "20500: Internal Server Error"))
            sandbox.inject(.unauthorized, account: Self.account.sid)
            #expect(await send() == .badCredentials(code: 20003, message: "Authenticate"))

            sandbox.inject(.hang, account: Self.account.sid)
            let impatient = TwilioClient(http: CurlClient(), apiBase: base, timeout: .milliseconds(400))
            let start = ContinuousClock.now
            let hung = await impatient.send(account: Self.account, message: Self.text(to))
            #expect(ContinuousClock.now - start < .seconds(2))
            // The request was written and no answer came: maybe sent, never blindly retried.
            guard case .uncertain = hung else {
                Issue.record("hang gave \(hung)")
                return
            }

            sandbox.inject(.slow(milliseconds: 150), account: Self.account.sid)
            let slowStart = ContinuousClock.now
            guard case .sent = await send() else { Issue.record("slow answer not sent"); return }
            #expect(ContinuousClock.now - slowStart >= .milliseconds(150))

            let wrong = TwilioAccount(sid: Self.account.sid, authToken: "wrong")
            #expect(
                await client.send(account: wrong, message: Self.text(to))
                    == .badCredentials(code: 20003, message: "Authenticate"))

            let missingBody = OutboundTwilioMessage(
                to: to, from: "whatsapp:+1", content: .template(contentSid: "", variables: nil))
            guard case .sent = await client.send(account: Self.account, message: missingBody) else {
                Issue.record("template send refused")
                return
            }
            #expect(sandbox.messages(to: to).count == 2)  // the slow one and the template
            #expect(sandbox.messages(to: to).last?.contentSid == "")
        }
    }

    @Test func rateLimitAnswers429PastTheLimit() async throws {
        try await withSandbox { sandbox, base in
            sandbox.registerAccount(sid: Self.account.sid, authToken: Self.account.authToken)
            sandbox.setRateLimit(account: Self.account.sid, perSecond: 3)
            let client = TwilioClient(http: CurlClient(), apiBase: base)
            var limited = 0
            let start = ContinuousClock.now
            for _ in 0..<10 {
                let result = await client.send(account: Self.account, message: Self.text("a"))
                if case .retryLater(let after, _) = result, after == Duration.seconds(1) {
                    limited += 1
                }
            }
            let accepted = sandbox.messages(to: "a").count
            #expect(accepted + limited == 10)
            // Within one second the sends touch at most two one-second windows: at most 3 + 3 get through.
            if ContinuousClock.now - start < .seconds(1) { #expect(accepted <= 6 && limited >= 4) }
            #expect(accepted >= 3)
        }
    }

    /// A Messages API request as the account sends it: form-encoded, with its Basic credentials.
    static func authorizedPost(_ url: String, form: String) -> CurlClientRequest {
        let auth = "Basic " + Base64.encode(Array("\(account.sid):\(account.authToken)".utf8))
        return CurlClientRequest(
            method: "POST", url: url,
            headers: [("Authorization", auth), ("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(form.utf8))
    }

    @Test func missingFieldsGetTwilioErrorJSON() async throws {
        try await withSandbox { sandbox, base in
            sandbox.registerAccount(sid: Self.account.sid, authToken: Self.account.authToken)
            let http = CurlClient()
            let url = base + "/2010-04-01/Accounts/\(Self.account.sid)/Messages.json"
            let response = try await http.execute(
                Self.authorizedPost(url, form: "To=whatsapp%3A%2B1&From=whatsapp%3A%2B2"))
            #expect(response.status == 400)
            let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            #expect(json?["code"] as? Int == 21602)
            #expect(json?["status"] as? Int == 400)
            #expect(json?["more_info"] as? String != nil)
            let unauthorized = try await http.execute(
                CurlClientRequest(method: "POST", url: url, body: Array("To=a".utf8)))
            #expect(unauthorized.status == 401)
            #expect(TwilioClient.result(of: unauthorized) == .badCredentials(code: 20003, message: "Authenticate"))
        }
    }

    /// One client, one request at a time: each reuses the previous one's easy handle, and nothing of the previous
    /// request (method, body, `NOBODY`, headers) leaks into the next.
    @Test func aReusedHandleCarriesNothingOfTheLastRequest() async throws {
        try await withSandbox { sandbox, base in
            sandbox.registerAccount(sid: Self.account.sid, authToken: Self.account.authToken)
            let http = CurlClient()
            let messages = base + "/2010-04-01/Accounts/\(Self.account.sid)/Messages.json"
            let sent = try await http.execute(
                Self.authorizedPost(messages, form: "To=whatsapp%3A%2B1&From=whatsapp%3A%2B2&Body=hi"))
            #expect(sent.status == 201)
            #expect(await http.idleHandles == 1)
            // A GET after a POST is a GET (a leftover POST body would make it a POST, which this route refuses).
            let listed = try await http.execute(CurlClientRequest(url: base + "/sandbox/messages"))
            #expect(listed.status == 200)
            #expect(try JSONDecoder().decode([SandboxMessage].self, from: Data(listed.body)).map(\.body) == ["hi"])
            _ = try await http.execute(CurlClientRequest(method: "HEAD", url: base + "/sandbox/messages"))
            // A GET after a HEAD has its body again.
            let again = try await http.execute(CurlClientRequest(url: base + "/sandbox/messages"))
            #expect(again.status == 200)
            #expect(try JSONDecoder().decode([SandboxMessage].self, from: Data(again.body)).map(\.body) == ["hi"])
            // The credentials of the first request went with it.
            let anonymous = try await http.execute(
                CurlClientRequest(method: "POST", url: messages, body: Array("To=a".utf8)))
            #expect(anonymous.status == 401)
            #expect(await http.idleHandles == 1)
            #expect(await http.transfersCompleted == 5)
        }
    }

    @Test func adminEndpointsRegisterAccountsInjectFaultsAndShowTheRecord() async throws {
        try await withSandbox { sandbox, base in
            let http = CurlClient()
            let json = [("Content-Type", "application/json")]
            let registered = try await http.execute(
                CurlClientRequest(
                    method: "POST", url: base + "/sandbox/accounts", headers: json,
                    body: Array(#"{"sid":"AC1","authToken":"t1"}"#.utf8)))
            #expect(registered.status == 204)
            let client = TwilioClient(http: http, apiBase: base)
            let account = TwilioAccount(sid: "AC1", authToken: "t1")
            guard case .sent = await client.send(account: account, message: Self.text("whatsapp:+9")) else {
                Issue.record("registered account could not send")
                return
            }
            let fault = try await http.execute(
                CurlClientRequest(
                    method: "POST", url: base + "/sandbox/faults", headers: json,
                    body: Array(#"{"account":"AC1","fault":"500","count":1}"#.utf8)))
            #expect(fault.status == 204)
            #expect(
                await client.send(account: account, message: Self.text("whatsapp:+9"))
                    == .retryLater(after: nil, reason: "20500: Internal Server Error"))
            let record = try await http.execute(CurlClientRequest(url: base + "/sandbox/messages?to=whatsapp%3A%2B9"))
            let messages = try JSONDecoder().decode([SandboxMessage].self, from: Data(record.body))
            #expect(messages.map(\.body) == ["hello"])
            #expect(messages.first?.accountSid == "AC1")

            let small = CurlClient(
                configuration: {
                    var c = CurlClientConfiguration(); c.maxResponseSize = 16; return c
                }())
            do {
                _ = try await small.execute(CurlClientRequest(url: base + "/sandbox/messages"))
                Issue.record("expected responseTooLarge")
            } catch let error as CurlClientError {
                #expect(error.isResponseTooLarge)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func signedStatusCallbacksArriveInOrder() async throws {
        let sandbox = TwilioSandbox()
        sandbox.registerAccount(sid: Self.account.sid, authToken: Self.account.authToken)
        let (callbacks, callbackInput) = AsyncStream<(String, Bool)>.makeStream()
        let publicBase = Mutex("")
        let router = Router()
        sandbox.addRoutes(to: router)
        router.post("/whatsapp/status") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let fields = FormURLEncoding.decode(body.readableBytesView) ?? []
            let url = publicBase.withLock { $0 } + "/whatsapp/status"
            let valid = TwilioSignature.isValid(
                signature: request.headers.first { $0.name.canonicalName == "x-twilio-signature" }?.value,
                authToken: Self.account.authToken, url: url, parameters: fields)
            callbackInput.yield((fields.first { $0.name == "MessageStatus" }?.value ?? "", valid))
            return .ok
        }
        let (ports, portInput) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), services: [sandbox],
            onServerRunning: { portInput.yield($0.localAddress?.port ?? 0) })
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let base = "http://127.0.0.1:\(port)"
            publicBase.withLock { $0 = base }
            defer { group.cancelAll() }
            let client = TwilioClient(http: CurlClient(), apiBase: base)
            var message = Self.text("whatsapp:+7")
            message.statusCallback = base + "/whatsapp/status"
            guard case .sent = await client.send(account: Self.account, message: message) else {
                Issue.record("send failed")
                return
            }
            var received: [(String, Bool)] = []
            for await callback in callbacks {
                received.append(callback)
                if received.count == 3 { break }
            }
            #expect(received.map(\.0) == ["sent", "delivered", "read"])
            #expect(received.allSatisfy { $0.1 })
        }
    }

    @Test func callbacksGoThroughThePosterTheSandboxWasGiven() async throws {
        let (posts, postInput) = AsyncStream<RecordedCallback>.makeStream()
        let sandbox = TwilioSandbox(callbackPoster: RecordingCallbackPoster(input: postInput))
        sandbox.registerAccount(sid: Self.account.sid, authToken: Self.account.authToken)
        let received = try await withSandbox(sandbox) { _, base in
            let client = TwilioClient(http: CurlClient(), apiBase: base)
            var message = Self.text("whatsapp:+8")
            // Nothing listens there: only the poster can see these callbacks.
            message.statusCallback = "http://127.0.0.1:9/whatsapp/status"
            guard case .sent = await client.send(account: Self.account, message: message) else {
                Issue.record("send failed")
                return [RecordedCallback]()
            }
            return await Self.first(3, of: posts, within: .seconds(10))
        }
        #expect(received.map(\.status) == ["sent", "delivered", "read"])
        for callback in received {
            #expect(callback.url == "http://127.0.0.1:9/whatsapp/status")
            #expect(callback.signatureValid)
        }
    }

    /// The first `count` elements of `stream`, or fewer when `limit` passes first.
    static func first<Element: Sendable>(
        _ count: Int, of stream: AsyncStream<Element>, within limit: Duration
    ) async -> [Element] {
        await withTaskGroup(of: [Element]?.self) { group in
            group.addTask {
                var elements: [Element] = []
                for await element in stream {
                    elements.append(element)
                    if elements.count == count { break }
                }
                return elements
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
    }
}

/// A status callback as a ``SandboxCallbackPoster`` was asked to post it.
struct RecordedCallback: Sendable {
    var url: String
    var status: String
    var signatureValid: Bool
}

/// Records the callbacks a sandbox posts, checking each one's signature as Sufra would.
struct RecordingCallbackPoster: SandboxCallbackPoster {
    let input: AsyncStream<RecordedCallback>.Continuation

    func postCallback(url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration) async {
        let fields = FormURLEncoding.decode(body) ?? []
        let valid = TwilioSignature.isValid(
            signature: headers.first { $0.name == "X-Twilio-Signature" }?.value,
            authToken: SandboxTests.account.authToken, url: url, parameters: fields)
        input.yield(
            RecordedCallback(
                url: url, status: fields.first { $0.name == "MessageStatus" }?.value ?? "", signatureValid: valid))
    }
}

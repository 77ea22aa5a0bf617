import Foundation
import Hummingbird
import Infra

/// The sandbox's HTTP face: Twilio's Messages API path plus `/sandbox/…` admin and read endpoints.
extension TwilioSandbox {
    /// Adds the sandbox's routes to `router`.
    public func addRoutes<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.post("/2010-04-01/Accounts/:account/Messages.json") { request, context in
            try await self.createMessage(request, account: context.parameters.get("account") ?? "")
        }
        router.get("/2010-04-01/Accounts/:account/Messages.json") { request, context in
            try self.listMessages(request, account: context.parameters.get("account") ?? "")
        }
        router.get("/sandbox/messages") { request, _ in
            let to = request.uri.queryParameters.get("to")
            return Self.json(.ok, try JSONEncoder().encode(self.messages(to: to)))
        }
        router.post("/sandbox/accounts") { request, _ in
            let body = try await request.body.collect(upTo: 16 * 1024)
            guard let account = try? JSONDecoder().decode(AccountRegistration.self, from: Data(buffer: body)) else {
                return Self.error(.badRequest, code: 21_000, message: "expected {\"sid\", \"authToken\"}")
            }
            self.registerAccount(sid: account.sid, authToken: account.authToken)
            return Response(status: .noContent)
        }
        router.post("/sandbox/faults") { request, _ in
            let body = try await request.body.collect(upTo: 16 * 1024)
            guard let order = try? JSONDecoder().decode(FaultOrder.self, from: Data(buffer: body)) else {
                return Self.error(.badRequest, code: 21_000, message: "malformed fault order")
            }
            self.apply(order)
            return Response(status: .noContent)
        }
    }

    private func createMessage(_ request: Request, account: String) async throws -> Response {
        let token = Self.basicAuthPassword(request.headers[.authorization], user: account)
        let (decision, delay) = ledger.withLock {
            $0.decide(account: account, authToken: token, nowNanoseconds: IOEventLoop.nowNanoseconds())
        }
        if let delay { try await Task.sleep(for: .milliseconds(delay)) }
        switch decision {
        case .unauthorized, .fault(.unauthorized):
            return Self.error(.unauthorized, code: 20003, message: "Authenticate")
        case .fault(.tooManyRequests(let seconds)):
            return Self.tooManyRequests(retryAfter: seconds)
        case .rateLimited:
            return Self.tooManyRequests(retryAfter: 1)
        case .fault(.serverError):
            return Self.error(.internalServerError, code: 20500, message: "Internal Server Error")
        case .fault(.hang):
            try await Task.sleep(for: configuration.hangLimit)
            return Self.error(.gatewayTimeout, code: 20504, message: "hang limit reached")
        case .fault(.slow), .fault(.acceptThenLoseAnswer), .accept:
            break
        }
        let buffer = try await request.body.collect(upTo: configuration.maxBodySize)
        guard let fields = FormURLEncoding.decode(buffer.readableBytesView) else {
            return Self.error(.badRequest, code: 21_000, message: "body is not form-encoded")
        }
        func field(_ name: String) -> String? { fields.last { $0.name == name }?.value }
        guard let to = field("To"), !to.isEmpty else {
            return Self.error(.badRequest, code: 21604, message: "A 'To' phone number is required.")
        }
        guard let from = field("From"), !from.isEmpty else {
            return Self.error(.badRequest, code: 21603, message: "A 'From' phone number is required.")
        }
        guard field("Body") != nil || field("ContentSid") != nil else {
            return Self.error(.badRequest, code: 21602, message: "Message body is required.")
        }
        let sid = "SM" + Hex.encode((try? SecureRandom.bytes(16)) ?? Array(repeating: 0, count: 16))
        let now = Date().timeIntervalSince1970
        let message = accepted(
            SandboxMessage(
                sid: sid, accountSid: account, to: to, from: from, body: field("Body"),
                contentSid: field("ContentSid"), contentVariables: field("ContentVariables"),
                statusCallback: field("StatusCallback"), index: 0,
                createdAt: Int64(now), acceptedAt: now))
        if configuration.statusCallbacks, let callback = message.statusCallback, let token {
            callbackInput.yield(SandboxCallbackJob(message: message, url: callback, authToken: token))
        }
        if case .fault(.acceptThenLoseAnswer(let milliseconds)) = decision {
            try await Task.sleep(for: .milliseconds(milliseconds))
        }
        let created = CreatedMessage(
            sid: sid, account_sid: account, to: to, from: from, body: message.body ?? "", status: "queued",
            api_version: "2010-04-01", num_segments: "1", direction: "outbound-api")
        return Self.json(.created, try JSONEncoder().encode(created))
    }

    private func apply(_ order: FaultOrder) {
        switch order.fault {
        case "429":
            inject(
                .tooManyRequests(retryAfterSeconds: order.retryAfter ?? 1), account: order.account, times: order.count)
        case "500": inject(.serverError, account: order.account, times: order.count)
        case "401": inject(.unauthorized, account: order.account, times: order.count)
        case "hang": inject(.hang, account: order.account, times: order.count)
        case "slow": inject(.slow(milliseconds: order.delayMs ?? 1000), account: order.account, times: order.count)
        case "acceptThenLose":
            inject(
                .acceptThenLoseAnswer(milliseconds: order.delayMs ?? 30_000), account: order.account, times: order.count
            )
        case "rateLimit": setRateLimit(account: order.account, perSecond: order.perSecond)
        default: clearFaults(account: order.account)
        }
    }

    static func basicAuthPassword(_ header: String?, user: String) -> String? {
        guard let header, header.hasPrefix("Basic "),
            let decoded = Base64.decode(String(header.dropFirst(6))),
            let text = String(validating: decoded, as: UTF8.self),
            let colon = text.firstIndex(of: ":"), text[..<colon] == user
        else { return nil }
        return String(text[text.index(after: colon)...])
    }

    static func json(_ status: HTTPResponse.Status, _ data: Data) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, code: Int, message: String) -> Response {
        let body = APIErrorBody(
            code: code, message: message, more_info: "https://www.twilio.com/docs/errors/\(code)", status: status.code)
        return json(status, (try? JSONEncoder().encode(body)) ?? Data())
    }

    static func tooManyRequests(retryAfter: Int) -> Response {
        var response = error(.tooManyRequests, code: 20429, message: "Too Many Requests")
        response.headers[.retryAfter] = String(retryAfter)
        return response
    }
}

/// `POST /sandbox/accounts` body.
struct AccountRegistration: Codable {
    var sid: String
    var authToken: String
}

/// `POST /sandbox/faults` body: `fault` is `429`, `500`, `401`, `hang`, `slow`, `acceptThenLose` (answer held
/// `delayMs`, 30 s by default), `rateLimit` or `clear`.
struct FaultOrder: Codable {
    var account: String
    var fault: String
    var count: Int?
    var retryAfter: Int?
    var delayMs: Int?
    var perSecond: Int?
}

// swift-format-ignore: AlwaysUseLowerCamelCase
/// Twilio's 201 answer (the fields sufra reads, and a few more).
struct CreatedMessage: Codable {
    var sid: String
    var account_sid: String
    var to: String
    var from: String
    var body: String
    var status: String
    var api_version: String
    var num_segments: String
    var direction: String
}

// swift-format-ignore: AlwaysUseLowerCamelCase
/// Twilio's error answer.
struct APIErrorBody: Codable {
    var code: Int
    var message: String
    var more_info: String
    var status: Int
}

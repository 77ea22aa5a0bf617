#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Sends WhatsApp messages through Twilio's Messages API over ``CurlClient``.
///
/// `POST {apiBase}/2010-04-01/Accounts/{sid}/Messages.json`, form-encoded, Basic auth with the restaurant's own
/// account. Every outcome becomes a ``TwilioSendResult``; nothing throws.
public struct TwilioClient: Sendable {
    /// The HTTP client used.
    public let http: CurlClient
    /// `TWILIO_API_BASE`, e.g. `https://api.twilio.com` or the sandbox's URL.
    public let apiBase: String
    /// Total time allowed per API call.
    public let timeout: Duration

    /// Creates a client for `apiBase` (trailing slash ignored).
    public init(http: CurlClient, apiBase: String = "https://api.twilio.com", timeout: Duration = .seconds(15)) {
        self.http = http
        var base = Substring(apiBase)
        while base.hasSuffix("/") { base = base.dropLast() }
        self.apiBase = String(base)
        self.timeout = timeout
    }

    /// Sends `message` from `account`.
    public func send(account: TwilioAccount, message: OutboundTwilioMessage) async -> TwilioSendResult {
        let url = apiBase + "/2010-04-01/Accounts/" + FormURLEncoding.escape(account.sid) + "/Messages.json"
        let credentials = Base64.encode(Array((account.sid + ":" + account.authToken).utf8))
        let request = CurlClientRequest(
            method: "POST", url: url,
            headers: [
                ("Authorization", "Basic " + credentials),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
            ],
            body: Array(FormURLEncoding.encode(message.formFields).utf8), timeout: timeout)
        do {
            return Self.result(of: try await http.execute(request))
        } catch {
            // Only a request that never left is safe to repeat; any other failure may hide an accepted message.
            return error.requestMayHaveBeenSent
                ? .uncertain(reason: error.description) : .retryLater(after: nil, reason: error.description)
        }
    }

    /// Maps an HTTP answer of the Messages API to a send result.
    public static func result(of response: CurlClientResponse) -> TwilioSendResult {
        let decoder = JSONDecoder()
        if (200..<300).contains(response.status) {
            guard let created = try? decoder.decode(CreatedMessage.self, from: Data(response.body)) else {
                // Twilio took it but the sid is unreadable: the lookup before any resend finds it.
                return .uncertain(reason: "unreadable success answer from Twilio (HTTP \(response.status))")
            }
            return .sent(sid: created.sid, status: created.status ?? "queued")
        }
        let error = try? decoder.decode(APIError.self, from: Data(response.body))
        let code = error?.code ?? response.status
        let message = error?.message ?? "HTTP \(response.status)"
        if response.status == 401 || code == 20003 { return .badCredentials(code: code, message: message) }
        if response.status == 429 || code == 20429 || response.status >= 500 {
            return .retryLater(after: retryAfter(response.header("Retry-After")), reason: "\(code): \(message)")
        }
        return .rejected(code: code, message: message)
    }

    /// `Retry-After` in seconds (HTTP dates are not used by Twilio and yield nil).
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Int(Substring(value).trimmingHTTPWhitespace()), seconds >= 0 else {
            return nil
        }
        return .seconds(seconds)
    }

    private struct CreatedMessage: Decodable {
        var sid: String
        var status: String?
    }

    private struct APIError: Decodable {
        var code: Int?
        var message: String?
        // swift-format-ignore: AlwaysUseLowerCamelCase
        var more_info: String?
        var status: Int?
    }
}

import Foundation
import Infra

/// Sends Twilio-shaped inbound webhooks, signed with the restaurant's token exactly as Twilio signs them.
struct WebhookSender: Sendable {
    /// Where Sufra listens, e.g. `http://127.0.0.1:18080`.
    var baseURL: String
    /// `PUBLIC_URL` of the server: the URL the signature covers.
    var publicURL: String
    /// The harness's keep-alive client.
    var client: KeepAliveHTTPClient

    /// A fresh `SM…` sid: 32 random lowercase hex digits, as Twilio's. (Digit by digit: Foundation's UUID string,
    /// its dashes replaced and lowercased, was 3.6 % of the harness's CPU at 400 messages/s.)
    static func makeSid() -> String {
        var random = SystemRandomNumberGenerator()
        let halves = (random.next() as UInt64, random.next() as UInt64)
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 34) { buffer in
            buffer[0] = UInt8(ascii: "S")
            buffer[1] = UInt8(ascii: "M")
            for index in 0..<32 {
                let half = index < 16 ? halves.0 : halves.1
                buffer[2 + index] = digits[Int(truncatingIfNeeded: half >> (UInt64(index % 16) * 4)) & 0xF]
            }
            return 34
        }
    }

    /// Posts one message from `customer` to `restaurant` and classifies the answer.
    func send(_ text: String, from customer: String, to restaurant: LoadRestaurant, sid: String) async -> WebhookOutcome
    {
        let parameters: [(name: String, value: String)] = [
            ("MessageSid", sid), ("SmsMessageSid", sid), ("AccountSid", restaurant.accountSid), ("From", customer),
            ("To", restaurant.number), ("Body", text), ("NumMedia", "0"), ("ProfileName", "Load Customer"),
            ("WaId", String(customer.dropFirst("whatsapp:+".count))), ("ApiVersion", "2010-04-01"),
        ]
        let signature = TwilioSignature.compute(
            authToken: restaurant.authToken, url: publicURL + "/whatsapp/webhook", parameters: parameters)
        let headers = [
            ("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature),
            ("User-Agent", "TwilioProxy/1.1"),
        ]
        do {
            let response = try await client.post(
                baseURL + "/whatsapp/webhook", headers: headers, body: Array(FormURLEncoding.encode(parameters).utf8),
                timeout: .seconds(15))
            switch response.status {
            case 200: return .acknowledged
            case 429: return .throttled(Self.bucket(in: response.body))
            default: return .failed(status: response.status)
            }
        } catch {
            switch error {
            case .connectFailed: return .transport("connect failed")
            case .timedOut: return .transport("timeout")
            default: return .transport("\(error)")
            }
        }
    }

    /// The bucket named in a 429 body (`rate limited (customer)`).
    static func bucket(in body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self)
        guard let open = text.firstIndex(of: "("), let close = text.firstIndex(of: ")"), open < close else {
            return "unknown"
        }
        return String(text[text.index(after: open)..<close])
    }
}

import Foundation
import Infra

/// The slice of Sufra's admin API the harness needs: creating restaurants with a menu.
struct AdminAPI: Sendable {
    /// The server's base URL, e.g. `http://127.0.0.1:18080`.
    var baseURL: String
    /// `ADMIN_TOKEN`.
    var token: String
    /// The client.
    var client: CurlClient

    /// Creates restaurant number `index` with a three-item menu and its limits (`perMinute` inbound,
    /// `sendPerMinute` outbound), and returns its credentials.
    func createRestaurant(
        index: Int, runTag: String, perMinute: Int, sendPerMinute: Int
    ) async throws
        -> LoadRestaurant
    {
        let number = "whatsapp:+1\(runTag)\(String(format: "%04d", index))"
        let accountSid = "AC" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let authToken = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let body = """
            {"name": "Load \(index)", "whatsappFrom": "\(number)", "twilioAccountSid": "\(accountSid)",
             "twilioAuthToken": "\(authToken)", "language": "en", "supportContact": "+15550000000",
             "inboundPerMinute": \(perMinute), "sendPerMinute": \(sendPerMinute),
             "menu": [
               {"name": {"ar": "شاورما", "en": "Shawarma"}, "price": 1500},
               {"name": {"ar": "فلافل", "en": "Falafel"}, "price": 800},
               {"name": {"ar": "عصير", "en": "Juice"}, "price": 500}
             ]}
            """
        let response = try await client.execute(
            CurlClientRequest(
                method: "POST", url: baseURL + "/admin/restaurants",
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                body: Array(body.utf8)))
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        guard response.status == 201, let id = object?["id"] as? String else {
            throw HarnessError(
                "create restaurant \(index): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return LoadRestaurant(
            id: id, number: number, accountSid: accountSid, authToken: authToken, sendPerMinute: sendPerMinute)
    }
}

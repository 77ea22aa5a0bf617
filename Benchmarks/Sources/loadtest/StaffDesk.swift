import Foundation
import Infra
import Logging
import Server

/// The restaurants' staff, as the harness plays them: moves a customer's confirmed order along through the staff
/// API (`POST /api/orders/{id}/transition` with each restaurant's dashboard token), so the bot tells the customer
/// and asks for a rating.
struct StaffDesk: Sendable {
    /// Where Sufra listens.
    var baseURL: String
    /// A staff token per restaurant id.
    var tokens: [String: String]
    /// The run's database (a running pool), where the desk looks up a customer's latest confirmed order (the
    /// dashboard shows it on its board; the harness has no eyes).
    var database: PGPool
    var client: CurlClient
    var logger: Logger

    /// Signs a staff token for each restaurant with the server's `JWT_SECRET`.
    static func make(
        restaurants: [LoadRestaurant], jwtSecret: String, baseURL: String, database: PGPool,
        client: CurlClient, logger: Logger
    ) async throws -> StaffDesk {
        let signer = await DashboardTokens(secret: jwtSecret)
        var tokens: [String: String] = [:]
        for restaurant in restaurants {
            tokens[restaurant.id] = try await signer.sign(
                DashboardClaims(
                    sub: "loadtest-staff", restaurantId: restaurant.id, role: .staff,
                    exp: Date().addingTimeInterval(24 * 3600)))
        }
        return StaffDesk(baseURL: baseURL, tokens: tokens, database: database, client: client, logger: logger)
    }

    /// The id of `customer`'s latest confirmed order at `restaurantId`.
    func latestConfirmedOrder(customer: String, restaurantId: String) async throws -> String? {
        try await database.query(
            """
            SELECT id FROM orders
            WHERE restaurant_id = \(restaurantId)::uuid AND customer = \(customer) AND status = 'CONFIRMED'
            ORDER BY created_at DESC LIMIT 1
            """
        ).first.map { try $0.decode("id", as: UUID.self).uuidString.lowercased() }
    }

    /// Moves order `orderId` of `restaurantId` to `status`; true on 200.
    func move(orderId: String, restaurantId: String, to status: String) async -> Bool {
        guard let token = tokens[restaurantId] else { return false }
        do {
            let response = try await client.execute(
                CurlClientRequest(
                    method: "POST", url: baseURL + "/api/orders/\(orderId)/transition",
                    headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                    body: Array("{\"to\": \"\(status)\"}".utf8), timeout: .seconds(15)))
            if response.status != 200 {
                logger.warning(
                    "transition refused",
                    metadata: [
                        "order": "\(orderId)", "to": "\(status)", "status": "\(response.status)",
                        "body": "\(String(decoding: response.body, as: UTF8.self))",
                    ])
            }
            return response.status == 200
        } catch {
            logger.warning("transition failed", metadata: ["order": "\(orderId)", "error": "\(error)"])
            return false
        }
    }
}

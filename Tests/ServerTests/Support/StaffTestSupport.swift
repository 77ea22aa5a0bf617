import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore

@testable import Server

/// Dashboard tokens and authorized API calls for the staff tests.
enum StaffAuth {
    /// The `JWT_SECRET` of ``SufraTestApp``.
    static let secret = "jwt-secret-for-tests-0123456789abcdef"

    /// A valid token of `restaurantId` (or one bent by the arguments).
    static func token(
        _ restaurantId: String, role: DashboardClaims.Role = .staff, secret: String = secret, exp: TimeInterval = 3600,
        nbf: TimeInterval? = nil
    ) async throws -> String {
        let tokens = await DashboardTokens(secret: secret)
        return try await tokens.sign(
            DashboardClaims(
                sub: "tester", restaurantId: restaurantId, role: role, exp: Date().addingTimeInterval(exp), iat: Date(),
                nbf: nbf.map { Date().addingTimeInterval($0) }))
    }
}

/// A parsed JSON answer.
struct JSONAnswer {
    let status: HTTPResponse.Status
    let object: [String: Any]

    var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
    var next: String? { object["next"] as? String }
    subscript(key: String) -> Any? { object[key] }
}

extension TestClientProtocol {
    /// Calls the dashboard API with `token`.
    func api(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil
    ) async throws -> JSONAnswer {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await execute(
            uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let object =
            (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return JSONAnswer(status: response.status, object: object)
    }
}

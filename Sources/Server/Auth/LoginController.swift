import Foundation
import HTTPTypes
import Hummingbird
import Infra

/// `POST /api/login` (docs/dashboard.md): a restaurant's account signs in with email and password and gets an
/// 8-hour dashboard token whose `sub` is the user id. A wrong email and a wrong password answer the same 401
/// after the same work (an unknown email is checked against a decoy hash); more than
/// ``LoginThrottle/limit`` failures for one email within the window answer 429 with `Retry-After`, whatever the
/// password.
struct LoginController: Sendable {
    let authenticator: StaffAuthenticator
    let throttle: LoginThrottle
    /// Lifetime of the issued tokens.
    static let tokenLifetime: TimeInterval = 8 * 3600
    /// The one answer for a wrong email or password.
    static let refusal = "wrong email or password"

    private struct LoginBody: Decodable {
        let restaurantId: String
        let email: String
        let password: String
    }

    private struct LoginAnswer: Encodable {
        let token: String
        let expiresAt: String
        let user: UserRecord
    }

    func addRoutes(to router: Router<SufraRequestContext>) {
        router.post("api/login") { request, _ in try await login(request) }
    }

    func login(_ request: Request) async throws -> Response {
        let body = try await JSONBody.decode(LoginBody.self, from: request)
        let restaurantId = body.restaurantId.trimmingCharacters(in: .whitespaces).lowercased()
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        guard !email.isEmpty, !body.password.isEmpty else { throw APIError(.unauthorized, Self.refusal) }
        let attempt: LoginThrottle.Attempt
        switch try await throttle.reserve(restaurantId: restaurantId, email: email) {
        case .locked(let seconds):
            return try JSONBody.response(
                ["error": "too many failed logins; try again in \(seconds) seconds"], status: .tooManyRequests,
                headers: [.retryAfter: String(seconds)])
        case .allowed(let reserved):
            attempt = reserved
        }
        let credentials = try await authenticator.users.credentials(restaurantId: restaurantId, email: email)
        let matches = await PasswordHasher.verify(
            body.password, against: credentials?.passwordHash ?? PasswordHash.decoy)
        guard matches, let user = credentials?.user, let role = DashboardClaims.Role(rawValue: user.role) else {
            throw APIError(.unauthorized, Self.refusal)
        }
        try await throttle.succeeded(attempt)
        let now = Date()
        let expiry = now.addingTimeInterval(Self.tokenLifetime)
        let token = try await authenticator.sign(
            DashboardClaims(sub: user.id, restaurantId: user.restaurantId, role: role, exp: expiry, iat: now))
        return try JSONBody.response(
            LoginAnswer(token: token, expiresAt: ISO8601.string(expiry), user: user))
    }
}

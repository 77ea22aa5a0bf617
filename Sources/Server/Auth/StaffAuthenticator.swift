import Actors
import Foundation
import Infra
import Synchronization

/// Turns a dashboard JWT into a ``StaffIdentity`` (HTTP bearer tokens and the WebSocket's `?token=`): the
/// signature, algorithm and times through ``DashboardTokens``, then the restaurant must still exist (a token of
/// a deleted restaurant is refused like a forged one), and a token whose `sub` is a user id (one from
/// `POST /api/login`) must name an account of that restaurant that still exists. Tokens minted by `sufra token`
/// carry a subject that is not a uuid and name no account.
final class StaffAuthenticator: Sendable {
    private let secret: String
    private let directory: TenantDirectory
    /// The restaurants' dashboard accounts.
    let users: UserStore
    /// Built on first use: `DashboardTokens` is created asynchronously (its key collection is an actor).
    private let tokens = Mutex<DashboardTokens?>(nil)

    init(secret: String, directory: TenantDirectory, users: UserStore) {
        self.secret = secret
        self.directory = directory
        self.users = users
    }

    /// The caller of `token`, or a 401 ``APIError``.
    func authenticate(token: String) async throws(APIError) -> StaffIdentity {
        let claims: DashboardClaims
        do {
            claims = try await verifier().verify(token)
        } catch {
            throw APIError(.unauthorized, "invalid token")
        }
        let restaurantId = claims.restaurantId.lowercased()
        guard directory.tenant(id: restaurantId) != nil else { throw APIError(.unauthorized, "invalid token") }
        if UUID(uuidString: claims.sub.value) != nil {
            let exists: Bool
            do {
                exists = try await users.exists(id: claims.sub.value.lowercased(), restaurantId: restaurantId)
            } catch {
                throw APIError(.serviceUnavailable, "cannot check the token's user")
            }
            guard exists else { throw APIError(.unauthorized, "invalid token") }
        }
        return StaffIdentity(
            subject: claims.sub.value, restaurantId: restaurantId, role: claims.role, expiresAt: claims.exp.value)
    }

    /// The caller of an `Authorization: Bearer …` header value, or a 401 ``APIError``.
    func authenticate(authorization: String?) async throws(APIError) -> StaffIdentity {
        guard let authorization, authorization.count > 7,
            authorization.prefix(7).lowercased() == "bearer "
        else { throw APIError(.unauthorized, "missing bearer token") }
        return try await authenticate(token: String(authorization.dropFirst(7)))
    }

    /// Signs `claims` with `JWT_SECRET` (tokens issued by `POST /api/login`).
    func sign(_ claims: DashboardClaims) async throws -> String {
        try await verifier().sign(claims)
    }

    private func verifier() async -> DashboardTokens {
        if let tokens = tokens.withLock({ $0 }) { return tokens }
        let created = await DashboardTokens(secret: secret)
        return tokens.withLock { stored in
            if let stored { return stored }
            stored = created
            return created
        }
    }
}

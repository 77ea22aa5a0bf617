import Actors
import Synchronization

/// Turns a dashboard JWT into a ``StaffIdentity`` (HTTP bearer tokens and the WebSocket's `?token=`): the
/// signature, algorithm and times through ``DashboardTokens``, then the restaurant must still exist (a token of
/// a deleted restaurant is refused like a forged one).
final class StaffAuthenticator: Sendable {
    private let secret: String
    private let directory: TenantDirectory
    /// Built on first use: `DashboardTokens` is created asynchronously (its key collection is an actor).
    private let tokens = Mutex<DashboardTokens?>(nil)

    init(secret: String, directory: TenantDirectory) {
        self.secret = secret
        self.directory = directory
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

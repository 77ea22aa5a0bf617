import Hummingbird

/// The request context of every Sufra route: Hummingbird's core storage plus the staff member a dashboard
/// route was authenticated as (set by ``StaffAuthMiddleware`` on `/api`).
public struct SufraRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Who is calling `/api/*`; nil outside the API group.
    var staff: StaffIdentity?

    /// Creates the context for one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The authenticated staff member; 401 if the route is reached without one (never, behind the middleware).
    func requireStaff() throws -> StaffIdentity {
        guard let staff else { throw APIError(.unauthorized, "missing bearer token") }
        return staff
    }
}

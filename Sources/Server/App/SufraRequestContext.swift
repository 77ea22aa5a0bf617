import Hummingbird
import NIOCore

/// The request context of every Sufra route: Hummingbird's core storage, the peer's address, and the staff
/// member a dashboard route was authenticated as (set by ``StaffAuthMiddleware`` on `/api`).
public struct SufraRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer (a reverse proxy or the client itself); decides whether forwarded headers are believed.
    public let remoteAddress: SocketAddress?
    /// Who is calling `/api/*`; nil outside the API group.
    var staff: StaffIdentity?

    /// Creates the context for one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The authenticated staff member; 401 if the route is reached without one (never, behind the middleware).
    func requireStaff() throws -> StaffIdentity {
        guard let staff else { throw APIError(.unauthorized, "missing bearer token") }
        return staff
    }
}

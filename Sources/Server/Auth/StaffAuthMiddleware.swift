import Hummingbird

/// Authenticates every `/api/*` request with its bearer JWT and puts the caller in the context; anything else
/// answers 401 before a route runs.
struct StaffAuthMiddleware: RouterMiddleware {
    typealias Context = SufraRequestContext

    let authenticator: StaffAuthenticator

    func handle(
        _ request: Request, context: SufraRequestContext, next: (Request, SufraRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.staff = try await authenticator.authenticate(authorization: request.headers[.authorization])
        return try await next(request, context)
    }
}

import Foundation
import HTTPTypes
import Hummingbird

/// `GET /ws?token=JWT`: the upgrade is accepted only for a valid token whose restaurant exists; anything else is
/// not upgraded and falls through to the plain HTTP route here, which answers 401 (or 426 to a valid token sent
/// without an upgrade request).
struct LiveSocketRoute: Sendable {
    let authenticator: StaffAuthenticator

    /// Who an upgrade request is (its restaurant's events, until its token expires), or nil to refuse it.
    func identity(upgrading request: HTTPRequest) async -> StaffIdentity? {
        guard let path = request.path, path.split(separator: "?", maxSplits: 1).first == "/ws",
            let token = Self.token(inPath: path)
        else { return nil }
        return try? await authenticator.authenticate(token: token)
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("ws") { request, _ -> Response in
            guard let token = request.uri.queryParameters["token"] else {
                throw APIError(.unauthorized, "missing token")
            }
            _ = try await authenticator.authenticate(token: String(token))
            throw APIError(.upgradeRequired, "use a WebSocket upgrade")
        }
    }

    /// The `token` query parameter of a request path.
    static func token(inPath path: String) -> String? {
        guard let query = path.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "token" { return String(parts[1]).removingPercentEncoding }
        }
        return nil
    }
}

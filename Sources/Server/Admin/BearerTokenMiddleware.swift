import HTTPTypes
import Hummingbird

/// Refuses requests whose `Authorization: Bearer …` is not `token` (401), comparing in constant time.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            Self.constantTimeEqual(Array(header.utf8.dropFirst(7)), Array(token.utf8))
        else {
            throw APIError(.unauthorized, "missing or wrong bearer token")
        }
        return try await next(request, context)
    }

    /// Compares in time that depends only on `rhs`'s length (the configured token's, which is not secret):
    /// every byte of `rhs` is visited whatever `lhs` holds, and a length mismatch fails without an early exit.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference: UInt8 = lhs.count == rhs.count ? 0 : 1
        for index in rhs.indices {
            difference |= (index < lhs.count ? lhs[index] : ~rhs[index]) ^ rhs[index]
        }
        return difference == 0
    }
}

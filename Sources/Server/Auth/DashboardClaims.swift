import Foundation
import JWTKit

/// The claims of a dashboard token (docs/http-api.md): who, which restaurant, which role, until when.
public struct DashboardClaims: JWTPayload, Equatable {
    /// Staff roles.
    public enum Role: String, Codable, Sendable, CaseIterable {
        /// May change the menu.
        case admin
        /// Everything else.
        case staff
    }

    /// Subject: who the token was issued to.
    public var sub: SubjectClaim
    /// The one restaurant every request of this token is confined to.
    public var restaurantId: String
    /// Role.
    public var role: Role
    /// Expiry (required).
    public var exp: ExpirationClaim
    /// Issued at.
    public var iat: IssuedAtClaim?
    /// Not before.
    public var nbf: NotBeforeClaim?

    /// Creates claims.
    public init(
        sub: String, restaurantId: String, role: Role, exp: Date, iat: Date? = nil, nbf: Date? = nil
    ) {
        self.sub = SubjectClaim(value: sub)
        self.restaurantId = restaurantId
        self.role = role
        self.exp = ExpirationClaim(value: exp)
        self.iat = iat.map { IssuedAtClaim(value: $0) }
        self.nbf = nbf.map { NotBeforeClaim(value: $0) }
    }

    /// Checks time claims with a small leeway for clock skew.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired(currentDate: Date().addingTimeInterval(-DashboardTokens.leewaySeconds))
        if let nbf { try nbf.verifyNotBefore(currentDate: Date().addingTimeInterval(DashboardTokens.leewaySeconds)) }
        if let iat, iat.value > Date().addingTimeInterval(DashboardTokens.leewaySeconds) {
            throw JWTError.claimVerificationFailure(failedClaim: iat, reason: "issued in the future")
        }
    }
}

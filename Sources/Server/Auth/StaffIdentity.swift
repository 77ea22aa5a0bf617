import Foundation

/// A verified dashboard caller: whose token, for which restaurant (every read and write is confined to it),
/// with which role.
struct StaffIdentity: Sendable, Equatable {
    /// The token's `sub`.
    var subject: String
    /// The token's `restaurantId`, lowercased; the restaurant exists.
    var restaurantId: String
    /// `admin` may change the menu.
    var role: DashboardClaims.Role
    /// The token's `exp`: a live socket opened with it closes then.
    var expiresAt: Date
}

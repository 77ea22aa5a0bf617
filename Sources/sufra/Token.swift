import ArgumentParser
import Foundation
import Server

/// `sufra token`: mints a dashboard JWT signed with `JWT_SECRET` and prints it alone on stdout.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Mint a dashboard JWT (HS256, JWT_SECRET).")

    @Option(help: "The restaurant id the token is confined to.") var restaurant: String
    @Option(help: "staff or admin.") var role: String = "staff"
    @Option(help: "Lifetime, e.g. 8h, 30m, 3600s.") var ttl: String = "8h"
    @Option(help: "Subject (who the token is for).") var subject: String = "staff"

    func run() async throws {
        let configuration = try loadConfiguration()
        guard let secret = configuration.jwtSecret else { throw ValidationError("JWT_SECRET is required but not set") }
        guard secret.utf8.count >= 32 else { throw ValidationError("JWT_SECRET must be at least 32 bytes for HS256") }
        guard let role = DashboardClaims.Role(rawValue: role) else {
            throw ValidationError("--role must be staff or admin")
        }
        guard let seconds = Self.seconds(ttl) else { throw ValidationError("--ttl must look like 8h, 30m or 3600s") }
        let tokens = await DashboardTokens(secret: secret)
        let now = Date()
        print(
            try await tokens.sign(
                DashboardClaims(
                    sub: subject, restaurantId: restaurant.lowercased(), role: role,
                    exp: now.addingTimeInterval(seconds), iat: now)))
    }

    static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let value = Double(text.dropLast()), value > 0 else { return Double(text) }
        switch unit {
        case "s": return value
        case "m": return value * 60
        case "h": return value * 3600
        case "d": return value * 86_400
        default: return nil
        }
    }
}

import Foundation
import JWTKit

/// Mints and verifies dashboard JWTs: HS256 with `JWT_SECRET`, pinned (any other `alg`, `none` included, is
/// refused before verification).
public struct DashboardTokens: Sendable {
    /// Seconds of clock skew tolerated on `exp`, `nbf` and `iat`.
    public static let leewaySeconds: TimeInterval = 30

    private let keys: JWTKeyCollection

    /// Creates the token service for `secret`.
    public init(secret: String) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
    }

    /// Signs `claims`.
    public func sign(_ claims: DashboardClaims) async throws -> String {
        try await keys.sign(claims, header: ["alg": "HS256", "typ": "JWT"])
    }

    /// Verifies `token` and returns its claims, or throws ``DashboardTokenError``.
    public func verify(_ token: String) async throws(DashboardTokenError) -> DashboardClaims {
        guard Self.headerAlgorithm(of: token) == "HS256" else { throw .wrongAlgorithm }
        do {
            return try await keys.verify(token, as: DashboardClaims.self)
        } catch {
            throw .invalid("\(error)")
        }
    }

    /// The `alg` of the token's header, if it parses.
    static func headerAlgorithm(of token: String) -> String? {
        guard let header = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["alg"] as? String
    }
}

/// A dashboard token was refused (the API answers 401).
public enum DashboardTokenError: Error, Sendable, Equatable {
    /// `alg` is not HS256.
    case wrongAlgorithm
    /// Bad signature, expired, not yet valid, or malformed.
    case invalid(String)
}

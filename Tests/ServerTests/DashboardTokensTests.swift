import Foundation
import JWTKit
import Testing

@testable import Server

@Suite(.timeLimit(.minutes(3))) struct DashboardTokensTests {
    let secret = "test-secret-0123456789-0123456789-abc"

    func claims(exp: TimeInterval = 3600, nbf: TimeInterval? = nil) -> DashboardClaims {
        DashboardClaims(
            sub: "staff-1", restaurantId: "r-1", role: .staff, exp: Date().addingTimeInterval(exp), iat: Date(),
            nbf: nbf.map { Date().addingTimeInterval($0) })
    }

    @Test func roundTrip() async throws {
        let tokens = await DashboardTokens(secret: secret)
        let token = try await tokens.sign(claims())
        let verified = try await tokens.verify(token)
        #expect(verified.restaurantId == "r-1")
        #expect(verified.role == .staff)
    }

    @Test func refusesWrongSecretExpiredAndFutureNotBefore() async throws {
        let tokens = await DashboardTokens(secret: secret)
        let other = await DashboardTokens(secret: "another-secret-000000-0000000000-xyz")
        await #expect(throws: DashboardTokenError.self) { try await tokens.verify(try await other.sign(claims())) }
        await #expect(throws: DashboardTokenError.self) {
            try await tokens.verify(try await tokens.sign(claims(exp: -120)))
        }
        await #expect(throws: DashboardTokenError.self) {
            try await tokens.verify(try await tokens.sign(claims(nbf: 600)))
        }
    }

    @Test func refusesOtherAlgorithmsIncludingNone() async throws {
        let tokens = await DashboardTokens(secret: secret)
        let hs512 = JWTKeyCollection()
        await hs512.add(hmac: HMACKey(from: secret + secret), digestAlgorithm: .sha512)
        let token512 = try await hs512.sign(claims())
        await #expect(throws: DashboardTokenError.wrongAlgorithm) { try await tokens.verify(token512) }

        let valid = try await tokens.sign(claims())
        let parts = valid.split(separator: ".")
        let noneHeader = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "")
        await #expect(throws: DashboardTokenError.wrongAlgorithm) {
            try await tokens.verify("\(noneHeader).\(parts[1]).")
        }
    }
}

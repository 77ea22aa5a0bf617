import Foundation
import HTTPTypes
import HummingbirdTesting
import Infra
import Logging
import NIOCore
import Testing

@testable import Server

/// Staff accounts and login (docs/dashboard.md): admin user routes, `POST /api/login`, the lock-out, and what
/// becomes of a token whose user is deleted.
@Suite(.serialized) struct StaffAccountsTests {
    static let password = "correct horse battery"

    @Test func adminCreatesListsAndDeletesUsersWithoutEverShowingTheHash() async throws {
        try await SufraTestApp.run { _, client, _ in
            let restaurant = try await client.createRestaurant()
            let created = try await client.admin(
                .post, "/admin/restaurants/\(restaurant.id)/users",
                json: #"{"email":"Ali@Example.com","name":"Ali","role":"staff","password":"\#(Self.password)"}"#)
            #expect(created.status == .created)
            #expect(created["email"] as? String == "ali@example.com")
            #expect(created["restaurantId"] as? String == restaurant.id)
            #expect(created["role"] as? String == "staff")
            #expect(Set(created.object.keys) == ["id", "restaurantId", "email", "name", "role", "createdAt"])

            let duplicate = try await client.admin(
                .post, "/admin/restaurants/\(restaurant.id)/users",
                json: #"{"email":"ali@example.com","name":"Ali 2","role":"admin","password":"\#(Self.password)"}"#)
            #expect(duplicate.status == .conflict)
            let short = try await client.admin(
                .post, "/admin/restaurants/\(restaurant.id)/users",
                json: #"{"email":"sara@example.com","name":"Sara","role":"staff","password":"123456789"}"#)
            #expect(short.status == .badRequest)
            let badRole = try await client.admin(
                .post, "/admin/restaurants/\(restaurant.id)/users",
                json: #"{"email":"sara@example.com","name":"Sara","role":"owner","password":"\#(Self.password)"}"#)
            #expect(badRole.status == .badRequest)
            let unknown = try await client.admin(
                .post, "/admin/restaurants/\(UUID().uuidString.lowercased())/users",
                json: #"{"email":"sara@example.com","name":"Sara","role":"staff","password":"\#(Self.password)"}"#)
            #expect(unknown.status == .notFound)

            let list = try await client.admin(.get, "/admin/restaurants/\(restaurant.id)/users")
            #expect(list.status == .ok)
            #expect(list.items.map { $0["email"] as? String } == ["ali@example.com"])
            #expect(list.object.keys.contains("next"))
            #expect(list.items.allSatisfy { !$0.keys.contains("password") && !$0.keys.contains("passwordHash") })

            let id = try #require(created["id"] as? String)
            #expect(try await client.admin(.delete, "/admin/users/\(id)").status == .noContent)
            #expect(try await client.admin(.delete, "/admin/users/\(id)").status == .notFound)
            #expect(try await client.admin(.get, "/admin/restaurants/\(restaurant.id)/users").items.isEmpty)
            #expect(
                try await client.api(.get, "/admin/restaurants/\(restaurant.id)/users", token: "wrong").status
                    == .unauthorized)
        }
    }

    @Test func cliAddsAUserWhoCanSignIn() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let configuration = try SufraTestApp.configuration(database: app.database)
            let logger = Logger(label: "test")
            let json = try await UserCommands.add(
                configuration: configuration, restaurant: restaurant.id.uppercased(), email: "Cli@Example.com",
                name: "Cli", role: "admin", password: Self.password, logger: logger)
            let user = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(user["email"] as? String == "cli@example.com")
            #expect(user["role"] as? String == "admin")
            #expect(!json.contains(Self.password) && !json.contains("pbkdf2"))
            #expect(try await client.login(restaurant, email: "cli@example.com", password: Self.password).status == .ok)
            await #expect(throws: CommandError.self) {
                try await UserCommands.add(
                    configuration: configuration, restaurant: restaurant.id, email: "cli@example.com", name: "Again",
                    role: "staff", password: Self.password, logger: logger)
            }
            await #expect(throws: CommandError.self) {
                try await UserCommands.add(
                    configuration: configuration, restaurant: restaurant.id, email: "short@example.com", name: "S",
                    role: "staff", password: "short", logger: logger)
            }
        }
    }

    @Test func storedPasswordIsASlowSaltedHash() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            _ = try await client.createUser(restaurant, email: "a@example.com")
            _ = try await client.createUser(restaurant, email: "b@example.com")
            let hashes = try await app.database.withClient { db in
                try await db.query("SELECT password_hash FROM users ORDER BY email").map {
                    try $0.decode("password_hash", as: String.self)
                }
            }
            #expect(hashes.count == 2)
            #expect(hashes.allSatisfy { $0.hasPrefix("pbkdf2-sha256$600000$") && !$0.contains(Self.password) })
            #expect(hashes[0] != hashes[1], "same password, different salts")
        }
    }

    @Test func loginIssuesAnEightHourTokenForTheUser() async throws {
        try await SufraTestApp.run { _, client, _ in
            let restaurant = try await client.createRestaurant()
            let user = try await client.createUser(restaurant, email: "Chef@Example.com", role: "admin")
            let login = try await client.login(restaurant, email: "chef@example.COM", password: Self.password)
            #expect(login.status == .ok)
            let token = try #require(login["token"] as? String)
            let answeredUser = try #require(login["user"] as? [String: Any])
            #expect(answeredUser["id"] as? String == user)
            #expect(answeredUser["role"] as? String == "admin")
            #expect(!answeredUser.keys.contains("passwordHash"))
            let expiresAt = try #require(login["expiresAt"] as? String)
            let parser = ISO8601DateFormatter()
            parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let expiry = try #require(parser.date(from: expiresAt))
            #expect(abs(expiry.timeIntervalSinceNow - 8 * 3600) < 60)

            let claims = try await DashboardTokens(secret: StaffAuth.secret).verify(token)
            #expect(claims.sub.value == user)
            #expect(claims.restaurantId == restaurant.id)
            #expect(claims.role == .admin)
            #expect(try await client.api(.get, "/api/conversations", token: token).status == .ok)
        }
    }

    @Test func wrongEmailAndWrongPasswordGetTheSameAnswer() async throws {
        try await SufraTestApp.run { _, client, _ in
            let restaurant = try await client.createRestaurant()
            let other = try await client.createRestaurant(name: "Other")
            _ = try await client.createUser(restaurant, email: "chef@example.com")
            let wrongPassword = try await client.login(restaurant, email: "chef@example.com", password: "not it at all")
            let wrongEmail = try await client.login(restaurant, email: "nobody@example.com", password: Self.password)
            let wrongRestaurant = try await client.login(other, email: "chef@example.com", password: Self.password)
            for answer in [wrongPassword, wrongEmail, wrongRestaurant] {
                #expect(answer.status == .unauthorized)
                #expect(answer["error"] as? String == "wrong email or password")
                #expect(answer["token"] == nil)
            }
        }
    }

    @Test func elevenFailuresLockTheEmailOutEvenWithTheRightPassword() async throws {
        try await SufraTestApp.run { _, client, _ in
            let restaurant = try await client.createRestaurant()
            _ = try await client.createUser(restaurant, email: "chef@example.com")
            _ = try await client.createUser(restaurant, email: "cook@example.com")
            for attempt in 1...10 {
                let answer = try await client.login(restaurant, email: "chef@example.com", password: "wrong \(attempt)")
                #expect(answer.status == .unauthorized, "attempt \(attempt)")
            }
            let locked = try await client.execute(
                uri: "/api/login", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(
                    string:
                        #"{"restaurantId":"\#(restaurant.id)","email":"CHEF@example.com","password":"\#(Self.password)"}"#
                ))
            #expect(locked.status == .tooManyRequests)
            let retryAfter = try #require(locked.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...900).contains(retryAfter))
            // Another email of the same restaurant is not affected.
            #expect(
                try await client.login(restaurant, email: "cook@example.com", password: Self.password).status == .ok)
        }
    }

    @Test func successfulLoginForgetsEarlierFailures() async throws {
        try await SufraTestApp.run { _, client, _ in
            let restaurant = try await client.createRestaurant()
            _ = try await client.createUser(restaurant, email: "chef@example.com")
            for _ in 1...9 {
                _ = try await client.login(restaurant, email: "chef@example.com", password: "wrong password")
            }
            #expect(
                try await client.login(restaurant, email: "chef@example.com", password: Self.password).status == .ok)
            for _ in 1...2 {
                _ = try await client.login(restaurant, email: "chef@example.com", password: "wrong password")
            }
            #expect(
                try await client.login(restaurant, email: "chef@example.com", password: Self.password).status == .ok)
        }
    }

    @Test func deletedUsersTokenIsRefusedButMintedTokensStillWork() async throws {
        try await SufraTestApp.run { _, client, _ in
            let restaurant = try await client.createRestaurant()
            let user = try await client.createUser(restaurant, email: "chef@example.com")
            let token = try #require(
                try await client.login(restaurant, email: "chef@example.com", password: Self.password)["token"]
                    as? String)
            #expect(try await client.api(.get, "/api/orders", token: token).status == .ok)
            #expect(try await client.admin(.delete, "/admin/users/\(user)").status == .noContent)
            #expect(try await client.api(.get, "/api/orders", token: token).status == .unauthorized)
            // A token minted by `sufra token` names no user and keeps working.
            #expect(try await client.api(.get, "/api/orders", token: StaffAuth.token(restaurant.id)).status == .ok)
            // A user of another restaurant does not make a token of this one valid.
            let other = try await client.createRestaurant(name: "Other")
            let stranger = try await client.createUser(other, email: "x@example.com")
            let forged = try await DashboardTokens(secret: StaffAuth.secret).sign(
                DashboardClaims(
                    sub: stranger, restaurantId: restaurant.id, role: .admin, exp: Date().addingTimeInterval(600)))
            #expect(try await client.api(.get, "/api/orders", token: forged).status == .unauthorized)
        }
    }
}

extension TestClientProtocol {
    /// Calls an admin route with the test admin token.
    func admin(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil) async throws -> JSONAnswer {
        try await api(method, uri, token: SufraTestApp.adminToken, json: json)
    }

    /// Creates a user through the admin API; returns its id.
    func createUser(
        _ restaurant: TestRestaurant, email: String, role: String = "staff",
        password: String = StaffAccountsTests.password
    ) async throws -> String {
        let answer = try await admin(
            .post, "/admin/restaurants/\(restaurant.id)/users",
            json: #"{"email":"\#(email)","name":"Test","role":"\#(role)","password":"\#(password)"}"#)
        guard answer.status == .created, let id = answer["id"] as? String else {
            throw TestFailure("create user: \(answer.status)")
        }
        return id
    }

    /// `POST /api/login`.
    func login(_ restaurant: TestRestaurant, email: String, password: String) async throws -> JSONAnswer {
        try await api(
            .post, "/api/login", token: nil,
            json: #"{"restaurantId":"\#(restaurant.id)","email":"\#(email)","password":"\#(password)"}"#)
    }
}

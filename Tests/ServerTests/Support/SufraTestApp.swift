import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Infra
import Logging
import NIOCore
import SufraTestSupport

@testable import Server

/// A whole Sufra (real PostgreSQL in a throwaway database, real Redis) started for one test, with helpers
/// to create restaurants and send signed webhooks the way Twilio does.
struct SufraTestApp: Sendable {
    static let publicURL = "https://bot.sufra.test"
    static let adminToken = "admin-token-for-tests-0123456789abcdef"
    static let masterKey = Data((0..<32).map { UInt8($0) }).base64EncodedString()

    let database: TestDatabase

    /// The configuration of a test instance; `overrides` replace environment entries.
    static func configuration(database: TestDatabase, overrides: [String: String] = [:]) throws -> SufraConfiguration {
        var environment = [
            "DATABASE_URL": database.url, "REDIS_URL": TestDatabase.redisURL, "PUBLIC_URL": publicURL,
            "MASTER_KEY": masterKey, "JWT_SECRET": "jwt-secret-for-tests-0123456789abcdef", "ADMIN_TOKEN": adminToken,
            "RATE_GLOBAL_PER_MIN": "1000000", "RATE_CUSTOMER_PER_MIN": "1000", "PORT": "0",
        ]
        for (key, value) in overrides { environment[key] = value }
        return try SufraConfiguration(environment: environment)
    }

    /// Runs `body` against a live instance on a fresh database.
    static func run(
        overrides: [String: String] = [:], options: SufraApplication.Options = .forTests,
        logLabel: String = "sufra.test", logLevel: Logger.Level = .warning, databasePassword: String? = nil,
        databaseParameters: String? = nil,
        _ body: @Sendable (SufraTestApp, any TestClientProtocol, SufraApplication) async throws -> Void
    ) async throws {
        if overrides["REDIS_URL"] == nil {
            try TestServices.require("Redis", url: TestDatabase.redisURL, variable: "REDIS_URL")
        }
        let database = try await TestDatabase.create()
        var overrides = overrides
        if let databasePassword, let at = database.url.firstIndex(of: "@") {
            // The test server trusts local connections, so the password is never checked, only carried.
            overrides["DATABASE_URL"] = database.url[..<at] + ":" + databasePassword + database.url[at...]
        }
        if let databaseParameters {
            overrides["DATABASE_URL"] = (overrides["DATABASE_URL"] ?? database.url) + "?" + databaseParameters
        }
        do {
            var logger = Logger(label: logLabel)
            logger.logLevel = logLevel
            let sufra = try SufraApplication(
                configuration: try configuration(database: database, overrides: overrides), options: options,
                logger: logger)
            try await sufra.application().test(.live) { client in
                // Ready as a deployment is: the restaurant directory has had its first full load (before it, an
                // unknown number answers 503, not 404).
                try await eventually("restaurant directory loaded") { sufra.directory.isLoaded }
                try await body(SufraTestApp(database: database), client, sufra)
            }
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }
}

extension SufraApplication.Options {
    /// Unique Redis keys per test instance so concurrent suites never share buckets.
    static var forTests: Self {
        var options = Self()
        options.redisKeyPrefix = "t:" + UUID().uuidString.prefix(8) + ":"
        options.unhandledGraceSeconds = 1
        options.unhandledSweepInterval = .milliseconds(200)
        return options
    }
}

/// A restaurant created through the admin API for a test.
struct TestRestaurant: Sendable {
    let id: String
    let number: String
    let accountSid: String
    let authToken: String
}

extension TestClientProtocol {
    /// Creates a restaurant with a three-item menu through the admin API.
    func createRestaurant(
        name: String = "مطعم الاختبار", language: String = "ar", extra: [String: String] = [:]
    ) async throws -> TestRestaurant {
        let number = "whatsapp:+1415\(Int.random(in: 1_000_000...9_999_999))"
        let accountSid = "AC" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let token = UUID().uuidString
        var fields = [
            "\"name\": \(JSONBody.quoted(name))", "\"whatsappFrom\": \"\(number)\"",
            "\"twilioAccountSid\": \"\(accountSid)\"", "\"twilioAuthToken\": \"\(token)\"",
            "\"language\": \"\(language)\"", "\"supportContact\": \"+966500000000\"",
        ]
        for (key, value) in extra { fields.append("\"\(key)\": \(value)") }
        fields.append(
            """
            "menu": [
              {"name": {"ar": "شاورما", "en": "Shawarma"}, "price": 1500},
              {"name": {"ar": "فلافل", "en": "Falafel"}, "price": 800},
              {"name": {"ar": "عصير", "en": "Juice"}, "price": 500}
            ]
            """)
        let body = "{" + fields.joined(separator: ",") + "}"
        let response = try await execute(
            uri: "/admin/restaurants", method: .post,
            headers: [.authorization: "Bearer \(SufraTestApp.adminToken)", .contentType: "application/json"],
            body: ByteBuffer(string: body))
        guard response.status == .created else {
            throw TestFailure("create restaurant: \(response.status) \(String(buffer: response.body))")
        }
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        guard let id = object?["id"] as? String else { throw TestFailure("no id in \(String(buffer: response.body))") }
        return TestRestaurant(id: id, number: number, accountSid: accountSid, authToken: token)
    }

    /// Sends a webhook signed with `restaurant`'s token (or `signature` when given).
    @discardableResult
    func sendWebhook(
        to restaurant: TestRestaurant, from customer: String, body text: String, sid: String = TestSid.make(),
        extra: [(String, String)] = [], signature: String? = nil
    ) async throws -> TestResponse {
        var parameters: [(name: String, value: String)] = [
            ("MessageSid", sid), ("AccountSid", restaurant.accountSid), ("From", customer), ("To", restaurant.number),
            ("Body", text), ("NumMedia", "0"),
        ]
        parameters += extra.map { (name: $0.0, value: $0.1) }
        let url = SufraTestApp.publicURL + "/whatsapp/webhook"
        let signed =
            signature
            ?? TwilioSignature.compute(authToken: restaurant.authToken, url: url, parameters: parameters)
        return try await execute(
            uri: "/whatsapp/webhook", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .twilioSignature: signed],
            body: ByteBuffer(string: FormEncoding.encode(parameters)))
    }
}

/// Form encoding for test requests.
enum FormEncoding {
    static func encode(_ parameters: [(name: String, value: String)]) -> String {
        parameters.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// Twilio-shaped message SIDs.
enum TestSid {
    static func make() -> String {
        "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}

/// A test precondition failed.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

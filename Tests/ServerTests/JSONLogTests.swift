import Foundation
import HTTPTypes
import HummingbirdTesting
import Infra
import Logging
import NIOCore
import Synchronization
import Testing

@testable import Server

/// The lines every JSON log handler of this test process writes (bootstrapped once, on first use); lines are
/// kept only while a test records, others go to standard error unchanged.
final class LogCapture: Sendable {
    static let shared: LogCapture = {
        let capture = LogCapture()
        LoggingSystem.bootstrap(
            { label, provider in
                JSONLogHandler(label: label, metadataProvider: provider, sink: capture.append)
            }, metadataProvider: RequestLogContext.provider)
        return capture
    }()

    private let state = Mutex<(recording: String?, lines: [String])>((nil, []))

    /// Starts keeping lines whose logger label starts with `labelPrefix`.
    func record(labelPrefix: String) { state.withLock { $0 = (labelPrefix, []) } }

    /// Stops recording and returns the lines kept.
    func stop() -> [String] {
        state.withLock { state in
            defer { state = (nil, []) }
            return state.lines
        }
    }

    @Sendable func append(_ line: String) {
        let kept = state.withLock { state in
            guard let prefix = state.recording, line.contains("\"logger\":\"\(prefix)") else { return false }
            state.lines.append(line)
            return true
        }
        if !kept { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}

@Suite(.serialized) struct JSONLogTests {
    @Test func oneJSONObjectPerLineWithEveryField() throws {
        let line = JSONLogHandler.line(
            timestamp: "2026-11-29T18:30:00.123Z", level: .warning, label: "sufra.test",
            message: "a \"quoted\"\nmessage", metadata: ["request_id": "r1", "nested": ["a": "1"], "list": ["x", "y"]])
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["timestamp"] as? String == "2026-11-29T18:30:00.123Z")
        #expect(object["level"] as? String == "warning")
        #expect(object["logger"] as? String == "sufra.test")
        #expect(object["message"] as? String == "a \"quoted\"\nmessage")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["request_id"] as? String == "r1")
        #expect((metadata["nested"] as? [String: Any])?["a"] as? String == "1")
        #expect(metadata["list"] as? [String] == ["x", "y"])
        #expect(try LogFormat(environment: ["LOG_FORMAT": "JSON"]) == .json)
        #expect(try LogFormat(environment: [:]) == .text)
        #expect(throws: ConfigurationError.self) { try LogFormat(environment: ["LOG_FORMAT": "xml"]) }
    }

    @Test func freshRequestIDsAreDistinctAndShareTheProcessPrefix() {
        let ids = (0..<1_000).map { _ in RequestLogContext.freshRequestID() }
        #expect(Set(ids).count == ids.count)
        let prefixes = Set(ids.map { $0.split(separator: "-").first.map(String.init) ?? "" })
        #expect(prefixes.count == 1)
        #expect(prefixes.first?.isEmpty == false)
    }

    @Test func fullOrderFlowLogsCarryRequestIdsAndNoSecrets() async throws {
        let capture = LogCapture.shared
        let label = "sufra.logtest\(UInt32.random(in: 0...UInt32.max))"
        let databasePassword = "pw-\(UUID().uuidString)"
        capture.record(labelPrefix: label)
        let found = Found()
        found.add(secrets: [
            SufraTestApp.masterKey, SufraTestApp.adminToken, "jwt-secret-for-tests-0123456789abcdef", databasePassword,
        ])
        do {
            try await SufraTestApp.run(logLabel: label, logLevel: .trace, databasePassword: databasePassword) {
                app, client, _ in
                let restaurant = try await client.createRestaurant()
                found.set(restaurantID: restaurant.id)
                found.add(secrets: [restaurant.authToken])
                let customer = "whatsapp:+966533333339"
                // One webhook carrying Twilio's idempotency token: it becomes the request id of its lines.
                let parameters: [(name: String, value: String)] = [
                    ("MessageSid", TestSid.make()), ("AccountSid", restaurant.accountSid), ("From", customer),
                    ("To", restaurant.number), ("Body", "مرحبا"), ("NumMedia", "0"),
                ]
                let signature = TwilioSignature.compute(
                    authToken: restaurant.authToken, url: SufraTestApp.publicURL + "/whatsapp/webhook",
                    parameters: parameters)
                let first = try await client.execute(
                    uri: "/whatsapp/webhook", method: .post,
                    headers: [
                        .contentType: "application/x-www-form-urlencoded", .twilioSignature: signature,
                        .twilioIdempotencyToken: "idem-token-for-log-test",
                    ],
                    body: ByteBuffer(string: FormEncoding.encode(parameters)))
                #expect(first.status == .ok)
                try await BotConversationTests.converse(
                    app, client, restaurant, customer: customer,
                    [("1", []), ("2", []), ("1 x2", []), ("تم", []), ("1", [])])
                let order = try await StaffFixtures.latestOrder(app, customer: customer)
                let token = try await StaffAuth.token(restaurant.id)
                found.add(secrets: [token])
                try await StaffOrderFlowTests.move(client, order.id, to: "PREPARING", token: token)
                try await StaffOrderFlowTests.move(client, order.id, to: "DELIVERED", token: token)
                try await BotConversationTests.converse(app, client, restaurant, customer: customer, [("5", [])])
            }
        } catch {
            _ = capture.stop()
            throw error
        }
        let lines = capture.stop()
        let (restaurantID, secrets) = found.values
        #expect(lines.count > 10, "the flow logs at trace level")
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["timestamp"] is String && object?["level"] is String && object?["message"] is String)
            for secret in secrets {
                #expect(!line.contains(secret), "a secret in: \(line)")
            }
        }
        let tagged = lines.filter { $0.contains("\"request_id\":\"idem-token-for-log-test\"") }
        #expect(!tagged.isEmpty, "lines of the webhook carry its request id")
        #expect(tagged.allSatisfy { $0.contains("\"restaurant_id\":\"\(restaurantID)\"") })
        // Every webhook line of the flow has some request id and the restaurant.
        let answered = lines.filter { $0.contains("\"message\":\"webhook answered\"") }
        #expect(answered.count == 7)
        #expect(answered.allSatisfy { $0.contains("\"request_id\":") && $0.contains(restaurantID) })
    }
}

/// What the flow learns inside the app's closure.
final class Found: Sendable {
    private let state = Mutex<(restaurantID: String, secrets: [String])>(("", []))
    func set(restaurantID: String) { state.withLock { $0.restaurantID = restaurantID } }
    func add(secrets: [String]) { state.withLock { $0.secrets += secrets } }
    var values: (String, [String]) { state.withLock { ($0.restaurantID, $0.secrets) } }
}

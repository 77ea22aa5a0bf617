import Actors
import Foundation
import Logging
import Synchronization
import Testing

@testable import Infra

/// Reads that fail closed and loudly: a restaurant status this version does not know is not routed, a bot state
/// it cannot read restarts the conversation, and both are logged and counted.
@Suite(.timeLimit(.minutes(3))) struct FailClosedReadTests {
    @Test func aRestaurantWithAnUnknownStatusIsNotRoutable() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                try await Migrator().migrate(client)
                let secrets = SecretBox(current: try MasterKey.random(id: "k1"))
                let repository = RestaurantRepository(client: client)
                var ids: [String] = []
                for index in 0..<2 {
                    let id = UUID().uuidString.lowercased()
                    _ = try await repository.create(
                        id: id,
                        fields: .init(name: "R\(index)", whatsappFrom: "whatsapp:+100\(index)", twilioAccountSid: "AC"),
                        encryptedAuthToken: try secrets.seal("token", associatedData: id), menu: [])
                    ids.append(id)
                }
                // A status written by a newer version (whose schema allows it).
                try await client.execute("ALTER TABLE restaurants DROP CONSTRAINT restaurants_status_check")
                try await client.execute("UPDATE restaurants SET status = 'suspended' WHERE id = \(ids[1])::uuid")
                let log = LogRecorder()
                let directory = TenantDirectory()
                let sync = TenantDirectorySync(
                    directory: directory, repository: repository, secrets: secrets, configuration: configuration,
                    logger: log.logger)
                try await sync.loadAll()
                #expect(directory.tenant(forNumber: "whatsapp:+1000")?.status == .active)
                #expect(directory.tenant(forNumber: "whatsapp:+1001") == nil)
                #expect(sync.unroutableCount == 1)
                #expect(log.errors == ["restaurant has an unknown status: not routable"])

                // A routed restaurant whose status becomes unknown leaves the directory; a known status brings it back.
                try await client.execute("UPDATE restaurants SET status = 'suspended' WHERE id = \(ids[0])::uuid")
                await sync.reload(id: ids[0])
                #expect(directory.tenant(forNumber: "whatsapp:+1000") == nil)
                #expect(sync.unroutableCount == 2)
                try await client.execute("UPDATE restaurants SET status = 'paused' WHERE id = \(ids[1])::uuid")
                await sync.reload(id: ids[1])
                #expect(directory.tenant(forNumber: "whatsapp:+1001")?.status == .paused)
                #expect(sync.unroutableCount == 1)
            }
        }
    }

    @Test func anUnreadableBotStateRestartsTheConversationLoudly() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                try await Migrator().migrate(client)
                let restaurant = try await client.query(
                    """
                    INSERT INTO restaurants (name, whatsapp_from, twilio_account_sid, twilio_auth_token_enc)
                    VALUES ('R', 'whatsapp:+1000', 'AC', 'k1:x') RETURNING id::text AS id
                    """
                ).single().decode("id", as: String.self)
                let states = [
                    ("whatsapp:+1", "{}"), ("whatsapp:+2", #"{"v":1,"step":"mainMenu"}"#),
                    ("whatsapp:+3", #"{"v":1,"step":"teleporting"}"#),
                ]
                for (customer, state) in states {
                    try await client.execute(
                        """
                        INSERT INTO conversations (restaurant_id, customer, bot_state)
                        VALUES (\(restaurant)::uuid, \(customer), \(state)::jsonb)
                        """)
                }
                let log = LogRecorder()
                let store = PostgresConversationStore(client: client, notifier: nil, logger: log.logger)
                func load(_ customer: String) async throws -> BotState? {
                    try await store.loadConversation(ConversationKey(restaurantId: restaurant, customer: customer))?
                        .state
                }
                #expect(try await load("whatsapp:+1") == .initial)
                #expect(try await load("whatsapp:+2") == .mainMenu)
                #expect(store.unreadableBotStates == 0)
                #expect(log.errors.isEmpty)
                #expect(try await load("whatsapp:+3") == .initial)
                #expect(store.unreadableBotStates == 1)
                #expect(log.errors == ["unreadable bot_state: the conversation restarts from the initial state"])
            }
        }
    }
}

/// Records the messages logged at error level or above.
private final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    /// Messages logged at `.error` or above, in order.
    var errors: [String] { lines.withLock { $0 } }

    /// A logger writing here.
    var logger: Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            if event.level >= .error { recorder.lines.withLock { $0.append(event.message.description) } }
        }
    }
}

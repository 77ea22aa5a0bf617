import Actors
import Foundation
import HTTPTypes
import HummingbirdTesting
import Infra
import Logging
import NIOCore
import SufraDev
import Testing

@testable import Server

/// A live Sufra whose `TWILIO_API_BASE` is a private sandbox on a free port, with fast outbound timing.
enum OutboundHarness {
    /// Options with short polls, reaper and retry backoff so the tests stay fast.
    static func options(lease: Duration = .seconds(60)) -> SufraApplication.Options {
        var options = SufraApplication.Options.forTests
        options.outbound.pollInterval = .milliseconds(100)
        options.outbound.reapInterval = .milliseconds(100)
        options.outbound.sender.pollInterval = .milliseconds(100)
        options.retryPolicy = OutboundRetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(100), jitter: 0.2)
        options.outboundLease = lease
        return options
    }

    static func run(
        options: SufraApplication.Options = OutboundHarness.options(), overrides: [String: String] = [:],
        databaseParameters: String? = nil,
        _ body: @Sendable (SufraTestApp, any TestClientProtocol, SufraApplication, TwilioSandbox) async throws -> Void
    ) async throws {
        var configuration = TwilioSandbox.Configuration()
        configuration.statusCallbacks = false
        let sandbox = TwilioSandbox(configuration: configuration)
        let (ports, portInput) = AsyncStream<Int>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sandbox.run(port: 0) { port in portInput.yield(port) } }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            defer { group.cancelAll() }
            try await SufraTestApp.run(
                overrides: overrides.merging(["TWILIO_API_BASE": "http://127.0.0.1:\(port)"]) { $1 }, options: options,
                databaseParameters: databaseParameters
            ) { app, client, sufra in
                try await body(app, client, sufra, sandbox)
            }
        }
    }

    /// A second dispatcher beside the application's own, on `queue` (its owner), sending to the application's
    /// Twilio base (the sandbox), with restaurants from `directory` (the application's by default).
    static func dispatcher(
        _ sufra: SufraApplication, app: SufraTestApp, queue: OutboundQueue, directory: TenantDirectory? = nil,
        settings: OutboundDispatcher.Settings = .init(), slot: LeaseSlot? = nil, logger: Logger
    ) throws -> OutboundDispatcher {
        OutboundDispatcher(
            queue: queue,
            dependencies: TenantSender.Dependencies(
                queue: queue,
                sender: TwilioMessageSender(
                    client: TwilioClient(http: CurlClient(), apiBase: sufra.configuration.twilioAPIBase),
                    publicURL: nil),
                directory: directory ?? sufra.directory, events: SilentEvents(), now: { "" }, logger: logger),
            configuration: try PGConfiguration(url: app.database.url), settings: settings, slot: slot, logger: logger)
    }

    /// Queues `count` outbound texts `"<prefix> 1"…` to `customer` (whose window is open), as the bot would.
    @discardableResult
    static func enqueue(
        _ app: SufraTestApp, restaurant: String, customer: String, prefix: String, count: Int
    ) async throws -> [String] {
        try await app.database.withClient { db in
            try await db.withTransaction { connection in
                let conversation = try await connection.query(
                    """
                    INSERT INTO conversations (restaurant_id, customer, last_inbound_at)
                    VALUES (\(restaurant)::uuid, \(customer), now())
                    ON CONFLICT (restaurant_id, customer) DO UPDATE SET last_inbound_at = now()
                    RETURNING id::text AS id
                    """
                ).single().decode("id", as: String.self)
                let rows = try await connection.query(
                    """
                    INSERT INTO messages (restaurant_id, conversation_id, body, direction, status, next_attempt_at,
                        created_at)
                    SELECT \(restaurant)::uuid, \(conversation)::uuid, \(prefix) || ' ' || i, 'outbound', 'queued',
                        now(), clock_timestamp() + i * interval '1 microsecond'
                    FROM generate_series(1, \(count)) AS i ORDER BY i RETURNING id::text AS id
                    """)
                try await connection.execute("SELECT pg_notify('sufra_outbound', \(restaurant))")
                return try rows.map { try $0.decode("id", as: String.self) }
            }
        }
    }

    /// One message's `status`, `attempts`, `sid`.
    static func message(_ app: SufraTestApp, _ id: String) async throws -> (status: String, attempts: Int, sid: String?)
    {
        try await app.database.withClient { db in
            let row = try await db.query("SELECT status, attempts, sid FROM messages WHERE id = \(id)::uuid").single()
            return (
                try row.decode("status", as: String.self), try row.decode("attempts", as: Int.self),
                try row.decode("sid", as: String?.self)
            )
        }
    }

    /// Count of a restaurant's outbound messages in `status`.
    static func count(_ app: SufraTestApp, restaurant: String, status: String) async throws -> Int {
        try await app.database.withClient { db in
            try await db.query(
                """
                SELECT count(*)::int AS n FROM messages
                WHERE restaurant_id = \(restaurant)::uuid AND direction = 'outbound' AND status = \(status)
                """
            ).single().decode("n", as: Int.self)
        }
    }

    static func admin(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, body: String? = nil
    ) async throws -> (status: HTTPResponse.Status, json: [String: Any]) {
        let response = try await client.execute(
            uri: uri, method: method,
            headers: [.authorization: "Bearer \(SufraTestApp.adminToken)", .contentType: "application/json"],
            body: body.map { ByteBuffer(string: $0) })
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any]
        return (response.status, object ?? [:])
    }
}

/// A no-op event publisher for senders built by hand.
struct SilentEvents: LiveEventPublishing {
    func publish(_ event: LiveEvent) {}
}

extension OutboundHarness {
    /// `count` claimed replies, one per customer `<customerPrefix><index>`, bodies `<body> <index>`; their ids in order.
    static func insertClaimed(
        _ app: SufraTestApp, restaurant: String, count: Int, customerPrefix: String, body: String, owner: String,
        lease: Duration
    ) async throws -> [String] {
        var ids: [String] = []
        for index in 0..<count {
            ids.append(
                try await insertClaimed(
                    app, restaurant: restaurant, customer: "\(customerPrefix)\(index)", body: "\(body) \(index)",
                    owner: owner, lease: lease))
        }
        return ids
    }

    /// Inserts one outbound text to `customer` (window open) already claimed by `owner` until `lease` from now,
    /// first attempted now: what a worker that died mid-send leaves behind.
    static func insertClaimed(
        _ app: SufraTestApp, restaurant: String, customer: String, body: String, owner: String, lease: Duration
    ) async throws -> String {
        let milliseconds = Int(lease.components.seconds * 1000 + lease.components.attoseconds / 1_000_000_000_000_000)
        return try await app.database.withClient { db in
            try await db.withTransaction { connection in
                let conversation = try await connection.query(
                    """
                    INSERT INTO conversations (restaurant_id, customer, last_inbound_at)
                    VALUES (\(restaurant)::uuid, \(customer), now())
                    ON CONFLICT (restaurant_id, customer) DO UPDATE SET last_inbound_at = now()
                    RETURNING id::text AS id
                    """
                ).single().decode("id", as: String.self)
                return try await connection.query(
                    """
                    INSERT INTO messages (restaurant_id, conversation_id, body, direction, status, status_rank,
                        lease_owner, lease_until, first_attempt_at)
                    VALUES (\(restaurant)::uuid, \(conversation)::uuid, \(body), 'outbound', 'sending', 1, \(owner),
                        now() + \(milliseconds) * interval '1 millisecond', now())
                    RETURNING id::text AS id
                    """
                ).single().decode("id", as: String.self)
            }
        }
    }

    /// Marks each of `ids` sent under the sid at the same place in `sids`, lease dropped: what a completion records.
    static func markSent(_ app: SufraTestApp, _ ids: [String], sids: [String]) async throws {
        try await app.database.withClient { db in
            for (id, sid) in zip(ids, sids) {
                try await db.query(
                    """
                    UPDATE messages SET status = 'sent', status_rank = 2, sid = \(sid), lease_owner = NULL,
                        lease_until = NULL WHERE id = \(id)::uuid
                    """)
            }
        }
    }

    /// Options for tests that drive the queue by hand: no sender in the process.
    static func withoutSender() -> SufraApplication.Options {
        var options = OutboundHarness.options()
        options.runSender = false
        return options
    }
}

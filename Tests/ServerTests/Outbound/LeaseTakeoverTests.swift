import Actors
import Foundation
import Infra
import Logging
import SufraDev
import SufraTestSupport
import Testing

@testable import Server

/// A process restarted in its place takes back its predecessor's leases at once (docs/outbound.md, "Restarts take
/// back their leases"): the slot's lock proves the predecessor gone, its replies are looked up before any resend,
/// and two live processes never share a slot.
@Suite(.serialized, .timeLimit(.minutes(3))) struct LeaseTakeoverTests {
    /// A predecessor that held the slot, committed two replies born claimed under its 60 s lease, got the first
    /// one accepted by Twilio and was killed: its successor in the same slot settles the first through the lookup
    /// and sends the second once, within seconds (the reaper alone would wait out the lease: this test fails).
    @Test func aRestartedProcessTakesBackItsPredecessorsRepliesAtOnce() async throws {
        try await OutboundHarness.run(options: OutboundHarness.withoutSender()) { app, client, sufra, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            let customer = "whatsapp:+966550003001"
            let postgres = try PGConfiguration(url: app.database.url)
            let base = "test-host:worker"
            guard let predecessor = await LeaseSlot.acquire(base: base, configuration: postgres, logger: Self.logger)
            else { throw TestFailure("the predecessor took no slot") }
            let ids = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await predecessor.run() }
                defer { group.cancelAll() }
                let ids = try await Self.commitBornClaimed(
                    sufra, restaurant: restaurant, customer: customer, owner: predecessor.identity.owner,
                    replies: ["restart one", "restart two"])
                // Before dying, the predecessor's first send reached Twilio.
                try await Self.sendDirectly(sufra, restaurant: restaurant, customer: customer, body: "restart one")
                return ids
            }
            // Killed: its sessions are gone (the lock's with them), its rows still `sending` under its 60 s lease.
            try await eventually("the predecessor's lock released") { try await Self.slotLocks(app) == 0 }
            #expect(try await Self.heldBy(app, owner: predecessor.identity.owner) == 2)

            guard let successor = await LeaseSlot.acquire(base: base, configuration: postgres, logger: Self.logger)
            else { throw TestFailure("the successor took no slot") }
            #expect(successor.identity.slot == predecessor.identity.slot, "restarted in the same place")
            #expect(successor.identity.owner != predecessor.identity.owner, "a new incarnation")
            let dispatcher = try Self.dispatcher(sufra, app: app, slot: successor)
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await successor.run() }
                group.addTask { try await dispatcher.run() }
                defer { group.cancelAll() }
                try await eventually(timeout: .seconds(20), "both replies settled long before the 60 s lease ends") {
                    let first = try await OutboundHarness.message(app, ids[0]).status
                    let second = try await OutboundHarness.message(app, ids[1]).status
                    return first == "sent" && second == "sent"
                }
            }
            let elapsed = started.duration(to: .now)
            print("LeaseTakeoverTests: restart to both replies settled in \(elapsed)")
            #expect(elapsed < .seconds(15))
            let accepted = sandbox.messages(to: customer)
            #expect(accepted.map(\.body) == ["restart one", "restart two"], "each reply reached Twilio once")
            #expect(try await OutboundHarness.message(app, ids[0]).sid == accepted.first?.sid, "found, not resent")
        }
    }

    /// A live process's slot cannot be taken: a second process with the same name gets the next slot, and its
    /// start takes back nothing of the first's; only once the first is gone does its slot (and its rows) come free.
    @Test func twoLiveProcessesNeverTakeTheSameSlotsLeases() async throws {
        try await OutboundHarness.run(options: OutboundHarness.withoutSender()) { app, client, sufra, _ in
            let restaurant = try await client.createRestaurant()
            let postgres = try PGConfiguration(url: app.database.url)
            let base = "test-host:serve:8080"
            guard let first = await LeaseSlot.acquire(base: base, configuration: postgres, logger: Self.logger) else {
                throw TestFailure("the first process took no slot")
            }
            let row = try await OutboundHarness.insertClaimed(
                app, restaurant: restaurant.id, customer: "whatsapp:+966550003002", body: "in flight",
                owner: first.identity.owner, lease: .seconds(60))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await first.run() }
                defer { group.cancelAll() }
                guard let second = await LeaseSlot.acquire(base: base, configuration: postgres, logger: Self.logger)
                else { throw TestFailure("the second process took no slot") }
                group.addTask { try await second.run() }
                #expect(second.identity.slot == base + ".2", "the next free slot, never the live one's")
                let queue = OutboundQueue(client: sufra.postgres, owner: second.identity.owner)
                #expect(try await queue.takeBack(slot: second.identity.slot, settle: .zero).isEmpty)
                var one = LeaseSlot.Settings()
                one.slotsPerBase = 1
                let third = await LeaseSlot.acquire(
                    base: base, configuration: postgres, settings: one, logger: Self.logger)
                #expect(third == nil, "the live first process's slot cannot be taken")
                #expect(try await Self.heldBy(app, owner: first.identity.owner) == 1, "still the first's, untouched")
            }
            // The first process is gone: its slot is free, and whoever takes it takes back its row, uncertain.
            try await eventually("the first process's lock released") { try await Self.slotLocks(app) == 0 }
            var one = LeaseSlot.Settings()
            one.slotsPerBase = 1
            guard
                let restarted = await LeaseSlot.acquire(
                    base: base, configuration: postgres, settings: one, logger: Self.logger)
            else { throw TestFailure("the freed slot was not taken") }
            let queue = OutboundQueue(client: sufra.postgres, owner: restarted.identity.owner)
            #expect(try await queue.takeBack(slot: restarted.identity.slot, settle: .zero) == [restaurant.id])
            let uncertain = try await app.database.withClient { db in
                try await db.query(
                    "SELECT status, send_uncertain, lease_owner FROM messages WHERE id = \(row)::uuid"
                ).single()
            }
            #expect(try uncertain.decode("status", as: String.self) == "queued")
            #expect(try uncertain.decode("send_uncertain", as: Bool.self), "looked up before any resend")
            #expect(try uncertain.decode("lease_owner", as: String?.self) == nil)
        }
    }

    /// A live process whose lock's session ends stops sending (no reply is born claimed for it, no loop starts)
    /// until it holds its slot again.
    @Test func aProcessThatLosesItsSlotStopsSendingUntilItHoldsItAgain() async throws {
        try await OutboundHarness.run(options: OutboundHarness.withoutSender()) { app, client, sufra, _ in
            let restaurant = try await client.createRestaurant()
            let postgres = try PGConfiguration(url: app.database.url)
            guard
                let slot = await LeaseSlot.acquire(base: "test-host:lost", configuration: postgres, logger: Self.logger)
            else { throw TestFailure("no slot") }
            let dispatcher = try Self.dispatcher(sufra, app: app, slot: slot)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await slot.run() }
                group.addTask { try await dispatcher.run() }
                defer { group.cancelAll() }
                try await eventually("the dispatcher accepts replies") {
                    guard let channel = dispatcher.reserve(restaurantId: restaurant.id, count: 1) else { return false }
                    channel.release(1)
                    return true
                }
                guard let pid = await slot.backendPID else { throw TestFailure("no lock session") }
                // The lock's session ends, and another session queued for the lock gets it first: the slot stays
                // lost until that session lets go.
                let other = try await PGConnection.connect(configuration: postgres)
                try await other.query(
                    """
                    SELECT pg_terminate_backend(\(Int(pid))::int) AS terminated,
                        pg_advisory_lock(hashtext('sufra.lease-slot'), hashtext(\(slot.identity.slot)))::text AS locked
                    """)
                try await eventually("the loss noticed") { !slot.isHeld }
                try await eventually("the loops stopped") { dispatcher.sender(restaurantId: restaurant.id) == nil }
                #expect(dispatcher.reserve(restaurantId: restaurant.id, count: 1) == nil, "nothing born claimed")
                dispatcher.wake(restaurantId: restaurant.id)
                #expect(dispatcher.sender(restaurantId: restaurant.id) == nil, "no loop starts")
                #expect(!slot.isHeld)
                await other.close()
                try await eventually("the slot held again") { slot.isHeld }
                try await eventually("replies accepted again") {
                    guard let channel = dispatcher.reserve(restaurantId: restaurant.id, count: 1) else { return false }
                    channel.release(1)
                    return true
                }
            }
        }
    }

    static let logger = Logger(label: "lease-test")

    /// A dispatcher of this process's own, leasing under `slot`'s owner and sending to the sandbox.
    static func dispatcher(_ sufra: SufraApplication, app: SufraTestApp, slot: LeaseSlot) throws -> OutboundDispatcher {
        try OutboundHarness.dispatcher(
            sufra, app: app, queue: OutboundQueue(client: sufra.postgres, owner: slot.identity.owner), slot: slot,
            logger: logger)
    }

    /// Commits `replies` born claimed under `owner` (60 s lease) through the group commit, as a bot step would.
    static func commitBornClaimed(
        _ sufra: SufraApplication, restaurant: TestRestaurant, customer: String, owner: String, replies: [String]
    ) async throws -> [String] {
        let handoff = DyingProcess(leaseOwner: owner)
        let ingest = GroupCommitIngest(client: sufra.postgres, handoff: handoff, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await ingest.run() }
            defer { group.cancelAll() }
            let step = DecidedStep(
                expectedVersion: 0, state: .mainMenu, language: nil, effects: [],
                replies: replies.map { .ready(.text($0)) })
            let outcome = try await ingest.ingest(
                InboundWebhook(
                    restaurantId: restaurant.id, messageSid: TestSid.make(), from: customer, to: restaurant.number,
                    body: "hi", profileName: nil, parameters: []),
                step: step)
            guard case .accepted(let receipt) = outcome, let ids = receipt.step?.queuedMessageIds,
                ids.count == replies.count
            else { throw TestFailure("not committed with its step: \(outcome)") }
            return ids
        }
    }

    /// What a process does at Twilio before it dies: the send is accepted, its outcome never recorded.
    static func sendDirectly(
        _ sufra: SufraApplication, restaurant: TestRestaurant, customer: String, body: String
    ) async throws {
        let twilio = TwilioClient(http: CurlClient(), apiBase: sufra.configuration.twilioAPIBase)
        let accepted = await twilio.send(
            account: TwilioAccount(sid: restaurant.accountSid, authToken: restaurant.authToken),
            message: OutboundTwilioMessage(to: customer, from: restaurant.number, content: .body(body)))
        guard case .sent = accepted else { throw TestFailure("sandbox refused: \(accepted)") }
    }

    /// Slot locks held in the test's database.
    static func slotLocks(_ app: SufraTestApp) async throws -> Int {
        try await app.database.withClient { db in
            try await db.query(
                """
                SELECT count(*)::int AS n FROM pg_locks
                WHERE locktype = 'advisory' AND granted
                    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """
            ).single().decode("n", as: Int.self)
        }
    }

    /// Rows still `sending` under `owner`.
    static func heldBy(_ app: SufraTestApp, owner: String) async throws -> Int {
        try await app.database.withClient { db in
            try await db.query(
                "SELECT count(*)::int AS n FROM messages WHERE lease_owner = \(owner) AND status = 'sending'"
            ).single().decode("n", as: Int.self)
        }
    }
}

/// A process that reserves room and commits replies born claimed under its 60 s lease, then dies before sending.
final class DyingProcess: OutboundHandoff {
    let leaseOwner: String
    let leaseDuration: Duration = .seconds(60)
    let channel = OutboundChannel(capacity: 16)

    init(leaseOwner: String) { self.leaseOwner = leaseOwner }

    func reserve(restaurantId: String, count: Int) -> OutboundChannel? {
        channel.reserve(count) ? channel : nil
    }
}

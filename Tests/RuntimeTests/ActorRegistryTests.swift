import Synchronization
import Testing

@testable import Runtime

@Suite(.timeLimit(.minutes(1))) struct ActorRegistryTests {
    let store = CounterStore()

    func makeRegistry<C: Clock<Duration>>(
        clock: C, configuration: RegistryConfiguration = .init(), passivationGate: Gate? = nil,
        escalations: Journal<String>? = nil
    ) -> ActorRegistry<CounterEntity, C> {
        let store = self.store
        return ActorRegistry(configuration: configuration, clock: clock) { key in
            CounterEntity(key: key, store: store, count: store.load(key), passivationGate: passivationGate)
        } onEscalation: { key, _ in
            escalations?.append(key)
        }
    }

    @Test func tenThousandMessagesOverAThousandKeysFromFiftyProducersArriveInOrderOnce() async throws {
        let registry = makeRegistry(clock: ContinuousClock())
        let journal = Journal<(String, Int, Int)>()
        try await running(registry) { () async throws in
            try await withThrowingTaskGroup(of: Void.self) { producers in
                for producer in 0..<50 {
                    producers.addTask {
                        for sequence in 0..<200 {
                            let key = "k\((producer * 7 + sequence * 13) % 1000)"
                            try await registry.tell(
                                key, .record(producer: producer, sequence: sequence, journal: journal),
                                timeout: .seconds(10))
                        }
                    }
                }
                try await producers.waitForAll()
            }
            await journal.waitForCount(10_000)
        }
        let events = journal.events
        #expect(events.count == 10_000)
        var last: [String: Int] = [:]  // "key/producer" → last sequence seen
        var seen = Set<String>()
        for (key, producer, sequence) in events {
            #expect(seen.insert("\(producer)/\(sequence)").inserted, "duplicate \(producer)/\(sequence)")
            let lane = "\(key)/\(producer)"
            #expect(last[lane, default: -1] < sequence, "out of order on \(lane)")
            last[lane] = sequence
        }
    }

    /// Waits (yielding) until `condition` holds; records an issue after `timeout`.
    func eventually(
        _ what: Comment, timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () -> Bool
    ) async {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline, !Task.isCancelled else {
                Issue.record("not within \(timeout): \(what)", sourceLocation: sourceLocation)
                return
            }
            await Task.yield()
        }
    }

    @Test func aDrainedKeyLeavesNoTaskBehindAndTheNextMessageStartsOneWithTheSameEntity() async throws {
        let registry = makeRegistry(clock: ContinuousClock())
        let gate = Gate()
        try await running(registry) { () async throws in
            #expect(try await registry.ask("a", .increment) == 1)
            await eventually("the drained consumer ends") { registry.runningConsumers == 0 }
            #expect(registry.liveCount == 1, "the entity stays resident without a task")
            #expect(registry.isIdle("a"))

            try registry.tell("a", .waitFor(gate))
            #expect(registry.runningConsumers == 1, "the next message starts a consumer at once")
            #expect(!registry.isIdle("a"))
            gate.open()
            #expect(try await registry.ask("a", .increment) == 3, "state carried across bursts")
            await eventually("ends again") { registry.runningConsumers == 0 }
            #expect(store.activations.events == ["a"], "resident between bursts: activated once, never reloaded")
        }
    }

    @Test func aThousandIdleKeysKeepTheirEntitiesAndNoConsumer() async throws {
        let registry = makeRegistry(clock: ContinuousClock())
        try await running(registry) { () async throws in
            for key in 0..<1000 { try registry.tell("k\(key)", .increment) }
            await eventually("every consumer ends") { registry.runningConsumers == 0 }
            #expect(registry.liveCount == 1000)
            for key in [0, 500, 999] { #expect(try await registry.ask("k\(key)", .increment) == 2) }
            #expect(store.activations.events.count == 1000)
        }
    }

    @Test func orderPerKeyHoldsAcrossDrainedAndRestartedConsumers() async throws {
        let registry = makeRegistry(clock: ContinuousClock())
        let journal = Journal<(String, Int, Int)>()
        var bursts = 0
        try await running(registry) { () async throws in
            for sequence in 0..<300 {
                if sequence % 10 == 0 {
                    // Let the consumer drain and end so the next message starts a fresh one.
                    await eventually("drained before burst \(sequence / 10)") { registry.runningConsumers == 0 }
                    bursts += 1
                }
                try registry.tell("a", .record(producer: 0, sequence: sequence, journal: journal))
            }
            await journal.waitForCount(300)
        }
        #expect(bursts == 30)
        #expect(journal.events.map(\.2) == Array(0..<300), "handled once each, in order, across 30 consumers")
        #expect(store.activations.events == ["a"])
    }

    @Test func aSlowHandlerOnOneKeyDoesNotDelayAnother() async throws {
        let registry = makeRegistry(clock: ContinuousClock())
        let gate = Gate()
        try await running(registry) { () async throws in
            try registry.tell("slow", .waitFor(gate))
            #expect(try await registry.ask("fast", .increment) == 1)
            #expect(try await registry.ask("fast", .increment) == 2)
            gate.open()
            #expect(try await registry.ask("slow", .increment) == 2)
        }
    }

    @Test func idleEntityIsPassivatedAndReactivatedWithItsState() async throws {
        let clock = ManualClock()
        let configuration = RegistryConfiguration(idleTimeout: .seconds(10), sweepInterval: .seconds(5))
        let registry = makeRegistry(clock: clock, configuration: configuration)
        try await running(registry) { () async throws in
            #expect(try await registry.ask("a", .increment) == 1)
            #expect(try await registry.ask("a", .increment) == 2)
            while !registry.isIdle("a"), !Task.isCancelled { await Task.yield() }
            for _ in 0..<2 {
                await clock.waitForSleepers(count: 1)
                clock.advance(by: .seconds(5))
            }
            await store.passivations.waitForCount(1)
            #expect(store.passivations.events.first?.1 == .idle)
            #expect(try await registry.ask("a", .increment) == 3)
            #expect(store.activations.events == ["a", "a"])
        }
    }

    @Test func aMessageRacingPassivationGoesToTheNextIncarnation() async throws {
        let clock = ManualClock()
        let gate = Gate()
        let configuration = RegistryConfiguration(idleTimeout: .seconds(1), sweepInterval: .seconds(1))
        let registry = makeRegistry(clock: clock, configuration: configuration, passivationGate: gate)
        try await running(registry) { () async throws in
            #expect(try await registry.ask("a", .increment) == 1)
            while !registry.isIdle("a"), !Task.isCancelled { await Task.yield() }
            await clock.waitForSleepers(count: 1)
            clock.advance(by: .seconds(1))
            await store.activations.waitForCount(1)
            await clock.waitForSleepers(count: 1)  // the sweep ran and marked "a" passivating
            async let reply = registry.ask("a", .increment)
            gate.open()
            #expect(try await reply == 2)
            #expect(store.activations.events.count == 2)
        }
    }

    @Test func aThrowingHandlerFailsOnlyThatMessage() async throws {
        let registry = makeRegistry(clock: ContinuousClock())
        try await running(registry) { () async throws in
            #expect(try await registry.ask("a", .increment) == 1)
            await #expect(throws: TestFailure(reason: "handler failed")) { _ = try await registry.ask("a", .fail) }
            try registry.tell("a", .fail)
            #expect(try await registry.ask("a", .increment) == 2)
            #expect(store.activations.events.count == 1)
        }
    }

    @Test func brokenEntityRestartsWithBackoffThenEscalates() async throws {
        let clock = ManualClock()
        let escalations = Journal<String>()
        let policy = RestartPolicy(maxRestarts: 2, window: .seconds(60), initialBackoff: .seconds(1), jitter: 0)
        let configuration = RegistryConfiguration(idleTimeout: .seconds(3600), restartPolicy: policy)
        let registry = makeRegistry(clock: clock, configuration: configuration, escalations: escalations)
        try await running(registry) { () async throws in
            #expect(try await registry.ask("a", .increment) == 1)
            await #expect(throws: TestFailure(reason: "broken")) { _ = try await registry.ask("a", .breakDown) }
            async let afterFirst = registry.ask("a", .increment)
            await clock.waitForSleepers(count: 2)  // sweeper + 1 s backoff
            clock.advance(by: .milliseconds(999))
            #expect(store.activations.events.count == 1, "restarted before its backoff")
            clock.advance(by: .milliseconds(1))
            #expect(try await afterFirst == 1, "state reloaded from the store, not kept")
            #expect(store.activations.events.count == 2)

            await #expect(throws: TestFailure(reason: "broken")) { _ = try await registry.ask("a", .breakDown) }
            await clock.waitForSleepers(count: 2)  // 2 s backoff
            clock.advance(by: .seconds(2))
            await #expect(throws: TestFailure(reason: "broken")) { _ = try await registry.ask("a", .breakDown) }
            await escalations.waitForCount(1)
            #expect(escalations.events == ["a"])
        }
    }

    @Test func fullMailboxRejectsAtOnceAndSuspendedSenderResumesWhenDrained() async throws {
        let clock = ManualClock()
        let configuration = RegistryConfiguration(mailboxHighWatermark: 2, mailboxLowWatermark: 0)
        let registry = makeRegistry(clock: clock, configuration: configuration)
        let gate = Gate()
        try await running(registry) { () async throws in
            try registry.tell("a", .waitFor(gate))
            try registry.tell("a", .increment)
            #expect(throws: RegistryError.mailboxFull) { try registry.tell("a", .increment) }
            await #expect(throws: RegistryError.mailboxFull) { _ = try await registry.ask("a", .increment) }

            async let timedOut: Int = registry.ask("a", .increment, admission: .suspend(timeout: .seconds(1)))
            await clock.waitForSleepers(count: 2)  // sweeper + the deadline
            clock.advance(by: .seconds(1))
            do {
                _ = try await timedOut
                Issue.record("expected RegistryError.timedOut")
            } catch {
                #expect(error as? RegistryError == RegistryError.timedOut)
            }

            async let admitted: Int = registry.ask("a", .increment, admission: .suspend(timeout: .seconds(30)))
            await clock.waitForSleepers(count: 2)
            gate.open()
            #expect(try await admitted == 3)
        }
    }

    @Test func gracefulShutdownDrainsEveryAcceptedMessageThenReturns() async throws {
        let registry = makeRegistry(clock: ContinuousClock())
        let journal = Journal<(String, Int, Int)>()
        let gate = Gate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await registry.run() }
            try registry.tell("k0", .waitFor(gate))
            for sequence in 0..<1000 {
                try registry.tell("k\(sequence % 10)", .record(producer: 0, sequence: sequence, journal: journal))
            }
            registry.beginShutdown()
            #expect(throws: RegistryError.shuttingDown) { try registry.tell("k1", .increment) }
            gate.open()
            try await group.waitForAll()
        }
        #expect(journal.events.count == 1000)
        #expect(store.passivations.events.count == 10)
        #expect(store.passivations.events.allSatisfy { $0.1 == .shutdown })
        #expect(registry.liveCount == 0)
    }

    @Test func drainDeadlineFailsWhatIsLeft() async throws {
        let clock = ManualClock()
        let registry = makeRegistry(clock: clock, configuration: .init(drainTimeout: .seconds(5)))
        let gate = Gate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await registry.run() }
            try registry.tell("a", .waitFor(gate))
            async let stranded = registry.ask("a", .increment)
            while registry.queuedCount(for: "a") < 2, !Task.isCancelled { await Task.yield() }
            registry.beginShutdown()
            await clock.waitForSleepers(count: 2)  // sweeper + drain deadline
            clock.advance(by: .seconds(5))
            while !registry.isAbandoning, !Task.isCancelled { await Task.yield() }
            gate.open()
            do {
                _ = try await stranded
                Issue.record("expected RegistryError.shuttingDown")
            } catch {
                #expect(error as? RegistryError == RegistryError.shuttingDown)
            }
            try await group.waitForAll()
        }
    }
}

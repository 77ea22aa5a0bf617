import Synchronization
import Testing

@testable import Runtime

/// An asker with a timeout is answered by its deadline, whatever its key's consumer is doing, and a message whose
/// asker stopped waiting is not started.
@Suite(.timeLimit(.minutes(1))) struct AskDeadlineTests {
    let store = CounterStore()

    @Test func anAskerBehindABusyConsumerIsAnsweredAtItsDeadlineAndItsMessageNeverRuns() async throws {
        let clock = ManualClock()
        let store = self.store
        let registry = ActorRegistry<CounterEntity, ManualClock>(
            configuration: RegistryConfiguration(idleTimeout: .seconds(3600)), clock: clock
        ) { key in
            CounterEntity(key: key, store: store, count: store.load(key), passivationGate: nil)
        }
        let gate = Gate()
        try await running(registry) { () async throws in
            try registry.tell("a", .waitFor(gate))
            async let late: Int = registry.ask("a", .increment, timeout: .seconds(1))
            await clock.waitForSleepers(count: 2)  // the idle sweeper + the deadline loop
            clock.advance(by: .seconds(1))
            do {
                _ = try await late
                Issue.record("expected RegistryError.deadlineExceeded")
            } catch {
                #expect(error as? RegistryError == .deadlineExceeded)
            }
            gate.open()
            // The gated message counts 1; the abandoned increment was dropped unstarted, so this one makes 2.
            #expect(try await registry.ask("a", .increment) == 2)
        }
    }

    @Test func aFailingActivationDoesNotHoldAnAskerPastItsDeadline() async throws {
        let attempts = Mutex(0)
        let policy = RestartPolicy(
            maxRestarts: 5, window: .seconds(60), initialBackoff: .milliseconds(200), jitter: 0)
        let registry = ActorRegistry<CounterEntity, ContinuousClock>(
            configuration: RegistryConfiguration(restartPolicy: policy, deadlineResolution: .milliseconds(10)),
            clock: ContinuousClock()
        ) { _ in
            attempts.withLock { $0 += 1 }
            throw TestFailure(reason: "database hung")
        }
        try await running(registry) { () async throws in
            let clock = ContinuousClock()
            let started = clock.now
            await #expect(throws: RegistryError.deadlineExceeded) {
                _ = try await registry.ask("a", .increment, timeout: .milliseconds(300))
            }
            // Without the deadline the asker would sit through 5 restarts (0.2 + 0.4 + 0.8 + 1.6 + 3.2 s).
            #expect(clock.now - started < .seconds(2))
            #expect(attempts.withLock { $0 } <= 3)
        }
    }

    @Test func aTimeoutThatAlreadyPassedFailsAtOnce() async throws {
        let store = self.store
        let registry = ActorRegistry<CounterEntity, ContinuousClock>(clock: ContinuousClock()) { key in
            CounterEntity(key: key, store: store, count: store.load(key), passivationGate: nil)
        }
        try await running(registry) { () async throws in
            await #expect(throws: RegistryError.deadlineExceeded) {
                _ = try await registry.ask("a", .increment, timeout: .zero)
            }
            #expect(try await registry.ask("a", .increment) == 1)
        }
    }
}

/// The deadline loop answers only waiters whose deadline passed, once, and forgets the ones answered meanwhile.
@Suite struct DeadlineQueueTests {
    struct Expired: Error, Equatable {}

    @Test func expiresDueWaitersOnceAndForgetsSettledOnes() async throws {
        let clock = ManualClock()
        let queue = DeadlineQueue(clock: clock, error: Expired())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await queue.run() }
            async let due = Self.wait(in: queue, deadline: clock.now.advanced(by: .seconds(1)))
            async let answered = Self.wait(in: queue, deadline: clock.now.advanced(by: .seconds(5))) { reply in
                reply.resume(returning: 7)
            }
            let value = try await answered
            #expect(value == 7)
            await clock.waitForSleepers(count: 1)
            clock.advance(by: .seconds(1))
            do {
                _ = try await due
                Issue.record("expected the deadline's error")
            } catch {
                #expect(error is Expired)
            }
            // One pass expired the due waiter and forgot the answered one.
            #expect(queue.pendingCount == 0)
            group.cancelAll()
        }
    }

    private static func wait(
        in queue: DeadlineQueue<ManualClock>, deadline: ManualClock.Instant,
        _ work: @Sendable (OneShotReply<Int>) -> Void = { _ in }
    ) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let reply = OneShotReply(continuation)
            queue.add(reply, deadline: deadline)
            work(reply)
        }
    }
}

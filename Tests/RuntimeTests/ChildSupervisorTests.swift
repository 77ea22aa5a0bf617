import Synchronization
import Testing

@testable import Runtime

@Suite(.timeLimit(.minutes(1))) struct ChildSupervisorTests {
    @Test func crashingChildIsRestartedWithBackoffThenEscalated() async throws {
        let clock = ManualClock()
        let runs = Journal<Int>()
        let escalations = Journal<String>()
        let policy = RestartPolicy(maxRestarts: 2, window: .seconds(60), initialBackoff: .seconds(1), jitter: 0)
        let supervisor = ChildSupervisor(
            children: [
                .init(name: "sender", policy: policy) {
                    runs.append(1); throw TestFailure(reason: "crash")
                }
            ],
            clock: clock
        ) { name, _ in escalations.append(name) }
        async let result: Void = supervisor.run()
        await clock.waitForSleepers(count: 1)
        #expect(runs.events.count == 1)
        clock.advance(by: .seconds(1))
        await runs.waitForCount(2)
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        #expect(runs.events.count == 2, "the second backoff is 2 s")
        clock.advance(by: .seconds(1))
        do {
            _ = try await result
            Issue.record("expected SupervisionError.self")
        } catch {
            #expect(error is SupervisionError)
        }
        #expect(runs.events.count == 3)
        #expect(escalations.events == ["sender"])
    }

    @Test func aCrashRestartsOnlyThatChild() async throws {
        let clock = ManualClock()
        let steady = Journal<Int>()
        let flaky = Journal<Int>()
        let policy = RestartPolicy(initialBackoff: .seconds(1), jitter: 0)
        let supervisor = ChildSupervisor(
            children: [
                .init(name: "steady") { steady.append(1) },
                .init(name: "flaky", policy: policy) {
                    flaky.append(1)
                    if flaky.events.count < 3 { throw TestFailure(reason: "crash") }
                },
            ],
            clock: clock)
        async let result: Void = supervisor.run()
        for _ in 0..<2 {
            await clock.waitForSleepers(count: 1)
            clock.advance(by: .seconds(2))
        }
        try await result
        #expect(flaky.events.count == 3)
        #expect(steady.events.count == 1)
    }
}

import Testing

@testable import Runtime

@Suite(.timeLimit(.minutes(3))) struct RestartStateMachineTests {
    typealias Instant = ManualClock.Instant
    let policy = RestartPolicy(
        maxRestarts: 3, window: .seconds(60), initialBackoff: .seconds(1), maxBackoff: .seconds(3), jitter: 0.5)

    func at(_ seconds: Int) -> Instant { Instant(offset: .seconds(seconds)) }

    @Test func backoffDoublesAndIsCapped() {
        var machine = RestartStateMachine<Instant>(policy: policy)
        #expect(machine.failed(now: at(0), random: 0.5) == .restart(after: .seconds(1)))
        #expect(machine.failed(now: at(1), random: 0.5) == .restart(after: .seconds(2)))
        #expect(machine.failed(now: at(3), random: 0.5) == .restart(after: .seconds(3)))
    }

    @Test func jitterStaysWithinItsFraction() {
        let low = RestartStateMachine<Instant>.backoff(policy: policy, attempt: 1, random: 0)
        let high = RestartStateMachine<Instant>.backoff(policy: policy, attempt: 1, random: 1)
        #expect(low == .seconds(1))
        #expect(high == .seconds(3))
    }

    @Test func stopsPastTheLimitInsideTheWindow() {
        var machine = RestartStateMachine<Instant>(policy: policy)
        for second in 0..<3 {
            guard case .restart = machine.failed(now: at(second), random: 0.5) else {
                Issue.record("expected restart")
                return
            }
        }
        #expect(machine.failed(now: at(10), random: 0.5) == .stop)
        #expect(machine.isExhausted)
        #expect(machine.failed(now: at(1000), random: 0.5) == .stop)
    }

    @Test func failuresOutsideTheWindowAreForgotten() {
        var machine = RestartStateMachine<Instant>(policy: policy)
        for second in 0..<3 { _ = machine.failed(now: at(second), random: 0.5) }
        #expect(machine.failed(now: at(70), random: 0.5) == .restart(after: .seconds(1)))
        #expect(machine.recentRestarts == 1)
    }
}

import Actors
import Testing

@Suite struct InboundRetryPolicyTests {
    @Test func backoffDoublesToItsCapAndTheLastAttemptIsFollowedByFailure() {
        let policy = InboundRetryPolicy(maxAttempts: 3, initialBackoff: .seconds(10), maxBackoff: .seconds(25))
        #expect(policy.next(attemptsBefore: 0) == .redrive(dueAgainAfter: .seconds(10)))
        #expect(policy.next(attemptsBefore: 1) == .redrive(dueAgainAfter: .seconds(20)))
        #expect(policy.next(attemptsBefore: 2) == .redrive(dueAgainAfter: .seconds(25)))
        #expect(policy.next(attemptsBefore: 3) == .fail)
        #expect(policy.next(attemptsBefore: 9) == .fail)
    }

    @Test func theDefaultsGiveUpAfterFiveRedrivesWithinAboutFiveMinutes() {
        let policy = InboundRetryPolicy()
        let waits = (1...5).map { policy.backoff(afterAttempt: $0) }
        #expect(waits == [.seconds(10), .seconds(20), .seconds(40), .seconds(80), .seconds(160)])
        #expect(policy.next(attemptsBefore: 5) == .fail)
    }
}

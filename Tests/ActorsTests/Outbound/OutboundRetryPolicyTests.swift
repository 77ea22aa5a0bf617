import Actors
import Runtime
import Testing

@Suite(.timeLimit(.minutes(3))) struct OutboundRetryPolicyTests {
    let policy = OutboundRetryPolicy()

    @Test func backoffDoublesFromFiveSecondsWithAtMostTwentyPercentJitter() {
        #expect(policy.backoff(afterAttempt: 1, random: 0) == .seconds(5))
        #expect(policy.backoff(afterAttempt: 2, random: 0) == .seconds(10))
        #expect(policy.backoff(afterAttempt: 3, random: 0) == .seconds(20))
        let jittered = policy.backoff(afterAttempt: 1, random: 0.999).seconds
        #expect(jittered > 5.9 && jittered <= 6.0)
    }

    @Test func threeAttemptsCountTheFirstThenDeadLetter() {
        let failure = SendOutcome.retryLater(after: nil, reason: "500")
        #expect(policy.decide(failure, attemptsBefore: 0, random: 0) == .retry(after: .seconds(5), reason: "500"))
        #expect(policy.decide(failure, attemptsBefore: 1, random: 0) == .retry(after: .seconds(10), reason: "500"))
        guard case .dead = policy.decide(failure, attemptsBefore: 2, random: 0) else {
            Issue.record("third failure should dead-letter")
            return
        }
    }

    @Test func retryAfterWinsWhenLongerThanTheBackoff() {
        let limited = SendOutcome.retryLater(after: .seconds(30), reason: "429")
        #expect(policy.decide(limited, attemptsBefore: 0, random: 0) == .retry(after: .seconds(30), reason: "429"))
        let short = SendOutcome.retryLater(after: .seconds(1), reason: "429")
        #expect(policy.decide(short, attemptsBefore: 0, random: 0) == .retry(after: .seconds(5), reason: "429"))
    }

    @Test func rejectionsAreFinalAndBadCredentialsUseNoAttempt() {
        #expect(
            policy.decide(.rejected(code: 21211, message: "bad To"), attemptsBefore: 0, random: 0)
                == .failed(code: "21211", reason: "bad To", attempted: true))
        guard
            case .credentialsRejected = policy.decide(
                .badCredentials(code: 20003, message: "x"), attemptsBefore: 2, random: 0)
        else {
            Issue.record("401 should reject credentials, not dead-letter")
            return
        }
        #expect(policy.decide(.sent(sid: "SM1"), attemptsBefore: 0, random: 0) == .sent(sid: "SM1"))
    }

    @Test func anUncertainOutcomeIsNeverDeadAndUsesAnAttempt() {
        for before in 0..<5 {
            #expect(
                policy.decide(.uncertain(reason: "timed out"), attemptsBefore: before, random: 0)
                    == .uncertain(
                        after: policy.backoff(afterAttempt: before + 1, random: 0),
                        reason: "outcome unknown: timed out",
                        attempted: true))
        }
    }

    @Test func anUncertainJobIsSettledByItsLookup() {
        let found = UncertainResolution.record(.sent(sid: "SM9", attempted: false))
        #expect(policy.resolve(.found(sid: "SM9"), attemptsBefore: 1, random: 0) == found)
        #expect(policy.resolve(.found(sid: "SM9"), attemptsBefore: 3, random: 0) == found)
        #expect(policy.resolve(.notFound, attemptsBefore: 1, random: 0) == .resend)
        #expect(policy.resolve(.notFound, attemptsBefore: 2, random: 0) == .resend)
        guard case .record(.dead(let reason)) = policy.resolve(.notFound, attemptsBefore: 3, random: 0) else {
            Issue.record("not found after the last attempt must dead-letter")
            return
        }
        #expect(reason.contains("no such message"))
        #expect(
            policy.resolve(.failed(reason: "503"), attemptsBefore: 1, random: 0)
                == .record(.uncertain(after: .seconds(5), reason: "lookup failed: 503", attempted: false)))
    }

    @Test func badCredentialsNameTheTokenVersion() {
        #expect(
            policy.decide(
                .badCredentials(code: 20003, message: "Authenticate"), attemptsBefore: 0, random: 0,
                credentialsVersion: 4)
                == .credentialsRejected(
                    reason: "Twilio rejected the credentials (20003: Authenticate)", credentialsVersion: 4))
    }
}

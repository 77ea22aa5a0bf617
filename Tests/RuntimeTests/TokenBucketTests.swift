import Testing

@testable import Runtime

@Suite(.timeLimit(.minutes(3))) struct TokenBucketTests {
    typealias Instant = ManualClock.Instant
    let start = Instant(offset: .zero)

    @Test func perMinuteCapacityIsOneSixthRoundedUp() {
        #expect(TokenBucket.perMinute(120, now: start).capacity == 20)
        #expect(TokenBucket.perMinute(61, now: start).capacity == 11)
        #expect(TokenBucket.perMinute(1, now: start).capacity == 1)
        #expect(TokenBucket.perMinute(120, now: start).refillPerSecond == 2)
    }

    @Test func takesUntilEmptyThenSaysHowLongToWait() {
        var bucket = TokenBucket(capacity: 3, refillPerSecond: 2, now: start)
        for _ in 0..<3 { #expect(bucket.take(1, now: start) == .granted) }
        #expect(bucket.take(1, now: start) == .wait(.milliseconds(500)))
        #expect(bucket.timeUntilAvailable(2, now: start) == .seconds(1))
        #expect(bucket.take(1, now: start.advanced(by: .milliseconds(500))) == .granted)
        #expect(bucket.take(4, now: start) == .exceedsCapacity)
        #expect(bucket.timeUntilAvailable(4, now: start) == nil)
    }

    @Test func refillIsContinuousAndCapped() {
        var bucket = TokenBucket(capacity: 10, refillPerSecond: 1, now: start, startFull: false)
        #expect(bucket.available(now: start.advanced(by: .milliseconds(2500))) == 2.5)
        #expect(bucket.available(now: start.advanced(by: .seconds(60))) == 10)
    }

    @Test func holdsTheRateWithinTwoPercentOverTenMinutes() {
        // A sender that always sleeps exactly the advised delay: 600/min for 10 minutes.
        var bucket = TokenBucket<Instant>.perMinute(600, now: start)
        var now = start
        var sent = 0
        let end = start.advanced(by: .seconds(600))
        while now < end {
            switch bucket.take(1, now: now) {
            case .granted: sent += 1
            case .wait(let delay): now = now.advanced(by: delay)
            case .exceedsCapacity: Issue.record("capacity")
            }
        }
        let expected = 600 * 10 + 100  // the rate plus one initial burst
        #expect(abs(Double(sent - expected)) <= Double(expected) * 0.02)
    }
}

import Actors
import Testing

/// The leased share of a shared token bucket, as a value.
@Suite(.timeLimit(.minutes(3))) struct LeasedAllowanceTests {
    let start = ContinuousClock.now

    @Test func anEmptyAllowanceAsksForALeaseAndSpendsWhatItWasGranted() {
        var allowance = LeasedAllowance()
        #expect(allowance.need(at: start) == .lease)
        allowance.granted(2, at: start)
        #expect(allowance.need(at: start + .seconds(1)) == .ready)
        allowance.spend()
        #expect(allowance.need(at: start + .seconds(1)) == .ready)
        allowance.spend()
        #expect(allowance.need(at: start + .seconds(1)) == .lease)
    }

    @Test func leftoversExpireSoOldCapacityIsNotHoarded() {
        var allowance = LeasedAllowance()
        allowance.granted(5, at: start)
        #expect(allowance.need(at: start + LeasedAllowance.lifetime - .milliseconds(1)) == .ready)
        #expect(allowance.need(at: start + LeasedAllowance.lifetime) == .lease)
        allowance.granted(1, at: start + LeasedAllowance.lifetime)
        #expect(allowance.tokens == 1)
    }

    @Test func aDenialIsRememberedUntilTheBucketRefills() {
        var allowance = LeasedAllowance()
        allowance.denied(retryAfterSeconds: 3, at: start)
        #expect(allowance.need(at: start) == .denied(retryAfterSeconds: 3))
        #expect(allowance.need(at: start + .milliseconds(1500)) == .denied(retryAfterSeconds: 2))
        #expect(allowance.need(at: start + .seconds(3)) == .lease)
    }

    @Test func slicesAreATenthOfTheLimitBetweenOneAndFiveHundred() {
        #expect(LeasedAllowance.slice(perMinute: 0) == 1)
        #expect(LeasedAllowance.slice(perMinute: 20) == 2)
        #expect(LeasedAllowance.slice(perMinute: 60) == 6)
        #expect(LeasedAllowance.slice(perMinute: 200) == 20)
        #expect(LeasedAllowance.slice(perMinute: 100_000_000) == 500)
    }
}

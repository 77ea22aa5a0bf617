import Testing

@testable import Actors

/// The send loop's pacing as a value: alone it is the restaurant's bucket; shared it leases at most a slice, spends
/// what it leased, waits as long as the shared bucket says, drops leftovers after their lifetime, and paces alone
/// for a while after the shared bucket failed.
@Suite struct SendPacingTests {
    let start = ContinuousClock.now

    @Test func aloneItIsTheRestaurantsBucket() {
        // 600/min: ten seconds' worth (100) at once, then one every 100 ms.
        var pacing = SendPacing(sendPerMinute: 600, isShared: false, now: start)
        #expect(pacing.next(wanting: 500, at: start) == .send(100))
        pacing.spent(100, at: start)
        guard case .wait(let delay) = pacing.next(wanting: 1, at: start) else {
            Issue.record("expected a wait")
            return
        }
        #expect(delay > .milliseconds(99) && delay <= .milliseconds(100))
        #expect(pacing.next(wanting: 5, at: start + .milliseconds(250)) == .send(2))
    }

    @Test func sharedItLeasesASliceSpendsItAndWaitsAsTold() {
        var pacing = SendPacing(sendPerMinute: 600, isShared: true, now: start)
        #expect(pacing.slice == 50)
        #expect(pacing.next(wanting: 500, at: start) == .lease(50))
        #expect(pacing.next(wanting: 8, at: start) == .lease(8))
        pacing.granted(8, of: 8, at: start)
        #expect(pacing.next(wanting: 32, at: start) == .send(8))
        pacing.spent(5, at: start)
        #expect(pacing.next(wanting: 32, at: start) == .send(3))
        pacing.spent(3, at: start)
        #expect(pacing.next(wanting: 32, at: start) == .lease(32))
        pacing.told(toWait: .milliseconds(70), at: start)
        #expect(pacing.next(wanting: 32, at: start + .milliseconds(20)) == .wait(.milliseconds(50)))
        #expect(pacing.next(wanting: 32, at: start + .milliseconds(70)) == .lease(32))
    }

    @Test func leasedTokensAreDroppedAfterTheirLifetime() {
        var pacing = SendPacing(sendPerMinute: 60, isShared: true, now: start)
        pacing.granted(5, of: 5, at: start)
        #expect(pacing.next(wanting: 10, at: start + .seconds(59)) == .send(5))
        #expect(pacing.next(wanting: 10, at: start + .seconds(60)) == .lease(5))
        #expect(pacing.next(wanting: 10, at: start + .seconds(60)) == .lease(5))
    }

    @Test func afterAFailureItPacesAloneForAWhileThenLeasesAgain() {
        var pacing = SendPacing(sendPerMinute: 60, isShared: true, now: start)
        #expect(pacing.next(wanting: 20, at: start) == .lease(5))
        pacing.sharedFailed(at: start)
        #expect(pacing.pacesAlone(at: start))
        // Its own bucket: ten seconds' worth at 60/min.
        #expect(pacing.next(wanting: 20, at: start) == .send(10))
        pacing.spent(10, at: start)
        guard case .wait = pacing.next(wanting: 20, at: start + .milliseconds(500)) else {
            Issue.record("expected its own bucket to be empty")
            return
        }
        let later = start + SendPacing.fallbackDuration
        #expect(!pacing.pacesAlone(at: later))
        #expect(pacing.next(wanting: 20, at: later) == .lease(5))
    }

    @Test func unspentTokensGoBackOnlyWhileTheSharedBucketRunsShort() {
        var pacing = SendPacing(sendPerMinute: 60, isShared: true, now: start)
        // Plenty: a lease got all it asked; leftovers are kept for the next reply.
        pacing.granted(5, of: 5, at: start)
        pacing.spent(2, at: start)
        #expect(pacing.unspent(at: start) == 0)
        #expect(pacing.next(wanting: 10, at: start) == .send(3))
        // Short: a lease got less than it asked; what the loop has no work for goes back.
        pacing.spent(3, at: start)
        pacing.granted(2, of: 5, at: start)
        #expect(pacing.unspent(at: start) == 2)
        #expect(pacing.unspent(at: start) == 0)
        #expect(pacing.next(wanting: 10, at: start) == .lease(5))
        // After a wait too; never what outlived its lifetime, never when pacing alone.
        pacing.told(toWait: .milliseconds(10), at: start)
        pacing.granted(1, of: 1, at: start + .milliseconds(10))
        pacing.told(toWait: .milliseconds(10), at: start + .milliseconds(10))
        #expect(pacing.unspent(at: start + .seconds(61)) == 0)
        var alone = SendPacing(sendPerMinute: 60, isShared: false, now: start)
        #expect(alone.unspent(at: start) == 0)
    }
}

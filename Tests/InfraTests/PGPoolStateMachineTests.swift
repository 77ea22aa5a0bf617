import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct PGPoolStateMachineTests {
    typealias Machine = PGPoolStateMachine

    func machine(min: Int = 0, max: Int = 2, waiters: Int = 3) -> Machine {
        Machine(
            configuration: .init(
                minimumConnections: min, maximumConnections: max, maximumWaiters: waiters,
                initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1)))
    }

    @Test func startOpensTheMinimum() {
        var pool = machine(min: 2, max: 4)
        #expect(pool.start().connect == [1, 2])
        #expect(pool.connectingCount == 2)
    }

    @Test func waitersQueuedBeforeStartAreServedAfterStart() {
        var pool = machine()
        let early = pool.leaseRequested(7)
        #expect(early.connect.isEmpty)
        #expect(early.startTimeout == 7)
        #expect(pool.start().connect == [1])
        let established = pool.connectionEstablished(1)
        #expect(established.lease.map(\.waiter) == [7])
        #expect(established.lease.map(\.connection) == [1])
    }

    @Test func timeoutBeforeStartSaysNotRunning() {
        var pool = machine()
        _ = pool.leaseRequested(1)
        #expect(pool.waiterTimedOut(1).fail.map(\.failure) == [.timedOut(running: false)])
    }

    @Test func idleConnectionIsReusedAndNeverExceedsMaximum() {
        var pool = machine(max: 2, waiters: 10)
        _ = pool.start()
        #expect(pool.leaseRequested(1).connect == [1])
        #expect(pool.leaseRequested(2).connect == [2])
        #expect(pool.leaseRequested(3).connect.isEmpty, "at the maximum: wait, do not open a third")
        #expect(pool.connectionEstablished(1).lease.map(\.waiter) == [1])
        #expect(pool.connectionEstablished(2).lease.map(\.waiter) == [2])
        let released = pool.connectionReleased(1, reusable: true)
        #expect(released.lease.map(\.waiter) == [3])
        #expect(pool.connectionReleased(1, reusable: true).lease.isEmpty)
        #expect(pool.idle == [1])
        #expect(pool.leaseRequested(4).lease.map(\.connection) == [1])
    }

    @Test func waitersAreBounded() {
        var pool = machine(max: 1, waiters: 2)
        _ = pool.start()
        _ = pool.leaseRequested(1)
        _ = pool.leaseRequested(2)
        #expect(pool.leaseRequested(3).fail.map(\.failure) == [.tooManyWaiters])
    }

    @Test func brokenConnectionIsReplacedOnRelease() {
        var pool = machine(min: 1, max: 1)
        _ = pool.start()
        _ = pool.connectionEstablished(1)
        #expect(pool.leaseRequested(1).lease.map(\.connection) == [1])
        let released = pool.connectionReleased(1, reusable: false)
        #expect(released.close == [1])
        #expect(released.connect == [2])
    }

    @Test func idleConnectionThatDiesIsReplaced() {
        var pool = machine(min: 1, max: 1)
        _ = pool.start()
        _ = pool.connectionEstablished(1)
        let closed = pool.connectionClosed(1)
        #expect(closed.connect == [2])
        #expect(pool.idle.isEmpty)
    }

    @Test func serverDownFailsWaitersFastAndBacksOff() {
        var pool = machine(min: 0, max: 2)
        _ = pool.start()
        _ = pool.leaseRequested(1)
        let failed = pool.connectionFailed(1)
        #expect(failed.fail.map(\.failure) == [.unavailable])
        #expect(failed.backoff == .milliseconds(100))
        // Circuit open: no new connect attempt, the caller fails at once.
        let next = pool.leaseRequested(2)
        #expect(next.fail.map(\.failure) == [.unavailable])
        #expect(next.connect.isEmpty)
        // After the delay: one probe.
        let probe = pool.backoffElapsed()
        #expect(probe.connect.count == 1)
        // It fails again: the delay doubles.
        #expect(pool.connectionFailed(probe.connect[0]).backoff == .milliseconds(200))
    }

    @Test func backoffIsCapped() {
        var pool = machine()
        _ = pool.start()
        var delays: [Duration] = []
        var attempt = pool.leaseRequested(1).connect
        for _ in 0..<6 {
            if let delay = pool.connectionFailed(attempt[0]).backoff { delays.append(delay) }
            attempt = pool.backoffElapsed().connect
        }
        #expect(delays.last == .seconds(1))
        #expect(delays.prefix(3) == [.milliseconds(100), .milliseconds(200), .milliseconds(400)])
    }

    @Test func recoveryAfterFailureClosesTheCircuit() {
        var pool = machine(min: 1, max: 2)
        _ = pool.start()
        _ = pool.connectionFailed(1)
        let probe = pool.backoffElapsed().connect
        _ = pool.leaseRequested(5)
        #expect(pool.connectionEstablished(probe[0]).lease.map(\.waiter) == [5])
        #expect(pool.consecutiveFailures == 0)
        #expect(!pool.circuitOpen)
    }

    @Test func cancelledWaiterIsRemoved() {
        var pool = machine(max: 1)
        _ = pool.start()
        _ = pool.leaseRequested(1)
        #expect(pool.waiterCancelled(1).fail.map(\.failure) == [.cancelled])
        #expect(pool.waiterCancelled(1).fail.isEmpty)
        #expect(pool.connectionEstablished(1).lease.isEmpty)
        #expect(pool.idle == [1])
    }

    @Test func shutdownClosesIdleFailsWaitersAndFinishesWhenLeasedReturn() {
        var pool = machine(max: 2, waiters: 5)
        _ = pool.start()
        _ = pool.leaseRequested(1)
        _ = pool.leaseRequested(2)
        _ = pool.connectionEstablished(1)
        _ = pool.connectionEstablished(2)
        _ = pool.connectionReleased(2, reusable: true)
        _ = pool.leaseRequested(3)  // gets 2
        _ = pool.connectionReleased(2, reusable: true)
        _ = pool.leaseRequested(4)
        _ = pool.leaseRequested(5)
        let down = pool.shutdown()
        #expect(down.fail.map(\.waiter) == [5])
        #expect(down.close.isEmpty || down.close == [2] || down.close == [1])
        #expect(!down.finished)
        #expect(pool.leaseRequested(6).fail.map(\.failure) == [.shutDown])
        var finished = false
        for id in [1, 2] where pool.slots[id] == .leased {
            let back = pool.connectionReleased(id, reusable: true)
            #expect(back.close == [id])
            finished = back.finished
        }
        #expect(finished)
        #expect(pool.slots.isEmpty)
    }
}

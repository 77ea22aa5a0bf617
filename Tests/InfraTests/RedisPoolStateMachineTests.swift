import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct RedisPoolStateMachineTests {
    typealias Machine = RedisPoolStateMachine<String, Int>

    @Test func callersWaitUntilASlotConnects() {
        var machine = Machine(slotCount: 2, maximumWaiters: 10)
        guard case .queued = machine.acquire(id: 1, waiter: 100) else { Issue.record("expected queued"); return }
        guard case .queued = machine.acquire(id: 2, waiter: 200) else { Issue.record("expected queued"); return }
        guard case .keep(let resumed) = machine.connected(slot: 0, "a") else { Issue.record("expected keep"); return }
        #expect(resumed == [100, 200])
        guard case .use(let connection) = machine.acquire(id: 3, waiter: 300) else {
            Issue.record("expected use"); return
        }
        #expect(connection == "a")
    }

    @Test func readyConnectionsAreUsedRoundRobin() {
        var machine = Machine(slotCount: 3, maximumWaiters: 10)
        _ = machine.connected(slot: 0, "a")
        _ = machine.connected(slot: 2, "c")
        let picks = (0..<4).compactMap { _ in machine.readyConnection() }
        #expect(picks == ["a", "c", "a", "c"])
        machine.disconnected(slot: 0)
        #expect(machine.readyConnection() == "c")
        #expect(machine.readyConnection() == "c")
    }

    @Test func circuitOpensWhenNothingIsReadyAndClosesOnConnect() {
        var machine = Machine(slotCount: 2, maximumWaiters: 10)
        _ = machine.acquire(id: 1, waiter: 100)
        let failed = machine.connectFailed(slot: 0, RedisError.connection("refused"))
        #expect(failed == [100])
        guard case .fail(let error) = machine.acquire(id: 2, waiter: 200) else { Issue.record("expected fail"); return }
        #expect(error.code == .connection)
        _ = machine.connected(slot: 1, "b")
        #expect(machine.openCircuit == nil)
        guard case .use("b") = machine.acquire(id: 3, waiter: 300) else { Issue.record("expected use"); return }
    }

    @Test func connectFailureWithAReadySlotFailsNobody() {
        var machine = Machine(slotCount: 2, maximumWaiters: 10)
        _ = machine.connected(slot: 0, "a")
        #expect(machine.connectFailed(slot: 1, RedisError.connection("refused")).isEmpty)
        #expect(machine.openCircuit == nil)
        #expect(machine.readyConnection() == "a")
    }

    @Test func waitQueueIsBounded() {
        var machine = Machine(slotCount: 1, maximumWaiters: 2)
        _ = machine.acquire(id: 1, waiter: 1)
        _ = machine.acquire(id: 2, waiter: 2)
        guard case .fail = machine.acquire(id: 3, waiter: 3) else { Issue.record("expected fail"); return }
        #expect(machine.cancel(id: 1) == 1)
        #expect(machine.cancel(id: 1) == nil)
        guard case .queued = machine.acquire(id: 4, waiter: 4) else { Issue.record("expected queued"); return }
    }

    @Test func shutdownFailsWaitersAndHandsBackConnections() {
        var machine = Machine(slotCount: 2, maximumWaiters: 10)
        _ = machine.connected(slot: 0, "a")
        machine.disconnected(slot: 0)
        _ = machine.acquire(id: 1, waiter: 7)
        _ = machine.connected(slot: 1, "b")
        _ = machine.acquire(id: 2, waiter: 8)
        let (waiters, connections) = machine.shutdown()
        #expect(waiters.isEmpty)
        #expect(connections == ["b"])
        guard case .fail(let error) = machine.acquire(id: 3, waiter: 9) else { Issue.record("expected fail"); return }
        #expect(error.code == .shutdown)
        guard case .close = machine.connected(slot: 0, "late") else { Issue.record("expected close"); return }
    }

    @Test func backoffDoublesUpToTheCap() {
        let delays = (1...6).map {
            RedisBackoff.delay(attempt: $0, initial: .milliseconds(50), maximum: .milliseconds(500))
        }
        #expect(
            delays == [
                .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400),
                .milliseconds(500), .milliseconds(500),
            ])
    }
}

import Testing

@testable import Runtime

@Suite(.timeLimit(.minutes(3))) struct RegistryStateMachineTests {
    typealias Machine = RegistryStateMachine<String, Int, String, String>

    func machine(maxEntities: Int = 10, idleSweeps: UInt64 = 2) -> Machine {
        Machine(highWatermark: 4, lowWatermark: 2, maxEntities: maxEntities, idleSweeps: idleSweeps)
    }

    /// Sends, lets the consumer take the batch and park: the key is live and idle.
    func makeIdle(_ key: String, in machine: inout Machine) {
        _ = machine.send(1, to: key)
        _ = machine.next(key: key, completed: 0, maxBatch: 8)
        _ = machine.next(key: key, completed: 1, maxBatch: 8)
        #expect(machine.park(key: key, consumer: "c-\(key)") == nil)
    }

    @Test func firstMessageSpawnsLaterOnesWakeTheParkedConsumer() {
        var machine = machine()
        guard case .spawn(nil) = machine.send(1, to: "a") else { return failed("expected spawn") }
        guard case .enqueued(nil) = machine.send(2, to: "a") else { return failed("one consumer per key") }
        guard case .process(let batch, _) = machine.next(key: "a", completed: 0, maxBatch: 8) else {
            return failed("")
        }
        #expect(Array(batch) == [1, 2])
        guard case .park = machine.next(key: "a", completed: 2, maxBatch: 8) else { return failed("") }
        #expect(machine.park(key: "a", consumer: "c") == nil)
        guard case .enqueued(let wake) = machine.send(3, to: "a") else { return failed("") }
        #expect(wake == "c")
    }

    @Test func sweepPassivatesOnlyEntriesIdleForEnoughSweeps() {
        var machine = machine(idleSweeps: 2)
        makeIdle("a", in: &machine)
        makeIdle("b", in: &machine)
        #expect(machine.sweep().isEmpty)
        _ = machine.send(2, to: "b")  // b is used again: its idle clock restarts
        #expect(machine.sweep() == ["c-a"])
        guard case .passivate(.idle) = machine.next(key: "a", completed: 0, maxBatch: 8) else {
            return failed("")
        }
        #expect(machine.passivated(key: "a") == .removed(lastDuringShutdown: false))
        #expect(machine.count == 1)
    }

    @Test func messageArrivingWhilePassivatingReactivates() {
        var machine = machine(idleSweeps: 1)
        makeIdle("a", in: &machine)
        #expect(machine.sweep() == ["c-a"])
        guard case .enqueued(nil) = machine.send(7, to: "a") else { return failed("must queue, not spawn") }
        #expect(machine.passivated(key: "a") == .reactivate)
        guard case .process(let batch, _) = machine.next(key: "a", completed: 0, maxBatch: 8) else {
            return failed("the message must reach the next incarnation")
        }
        #expect(Array(batch) == [7])
    }

    @Test func capEvictsTheLeastRecentlyUsedIdleEntry() {
        var machine = machine(maxEntities: 2)
        makeIdle("a", in: &machine)
        makeIdle("b", in: &machine)
        _ = machine.send(5, to: "a")  // a is busy and more recent
        guard case .spawn(let evicted) = machine.send(1, to: "c") else { return failed("") }
        #expect(evicted == "c-b")
        guard case .passivate(.evicted) = machine.next(key: "b", completed: 0, maxBatch: 8) else {
            return failed("")
        }
        var full = self.machine(maxEntities: 1)
        _ = full.send(1, to: "x")  // busy, not evictable
        guard case .rejected(.tooManyEntities) = full.send(1, to: "y") else { return failed("") }
    }

    @Test func shutdownRefusesDrainsThenReportsTheLastRemoval() {
        var machine = machine()
        makeIdle("a", in: &machine)
        _ = machine.send(1, to: "b")
        let (wake, _, isEmpty) = machine.beginShutdown()
        #expect(wake == ["c-a"] && !isEmpty)
        guard case .rejected(.shuttingDown) = machine.send(2, to: "a") else { return failed("") }
        guard case .passivate(.shutdown) = machine.next(key: "a", completed: 0, maxBatch: 8) else {
            return failed("")
        }
        #expect(machine.passivated(key: "a") == .removed(lastDuringShutdown: false))
        guard case .process(let batch, _) = machine.next(key: "b", completed: 0, maxBatch: 8) else {
            return failed("accepted messages are drained")
        }
        #expect(Array(batch) == [1])
        guard case .passivate(.shutdown) = machine.next(key: "b", completed: 1, maxBatch: 8) else {
            return failed("")
        }
        #expect(machine.passivated(key: "b") == .removed(lastDuringShutdown: true))
    }

    @Test func abandonHandsBackWhatIsStillQueued() {
        var machine = machine()
        _ = machine.send(1, to: "a")
        _ = machine.send(2, to: "a")
        _ = machine.beginShutdown()
        machine.abandon()
        guard case .abandon(let left, _) = machine.next(key: "a", completed: 0, maxBatch: 8) else {
            return failed("")
        }
        #expect(Array(left) == [1, 2])
        #expect(machine.passivated(key: "a") == .removed(lastDuringShutdown: true))
    }
}

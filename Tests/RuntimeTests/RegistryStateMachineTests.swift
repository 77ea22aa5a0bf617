import DequeModule
import Testing

@testable import Runtime

@Suite(.timeLimit(.minutes(3))) struct RegistryStateMachineTests {
    /// Keys, residents, envelopes and producers are strings and ints: the machine is tested as a value.
    typealias Machine = RegistryStateMachine<String, String, Int, String>

    func machine(maxEntities: Int = 10, idleSweeps: UInt64 = 2) -> Machine {
        Machine(highWatermark: 4, lowWatermark: 2, maxEntities: maxEntities, idleSweeps: idleSweeps)
    }

    /// Sends, lets the consumer take the batch and end, leaving `resident` in the entry: the key is live and idle.
    func makeIdle(_ key: String, in machine: inout Machine, resident: String? = nil) {
        _ = machine.send(1, to: key)
        var carried: String?
        _ = machine.step(key, completed: 0, carrying: &carried)
        carried = resident ?? "entity-\(key)"
        guard case .end = machine.step(key, completed: 1, carrying: &carried) else {
            return failed("an empty mailbox ends the consumer")
        }
        #expect(carried == nil, "the resident is handed to the entry")
    }

    @Test func aConsumerRunsPerBurstAndTheResidentWaitsInTheEntryBetweenBursts() {
        var machine = machine()
        #expect(machine.send(1, to: "a") == .start(evicting: nil))
        #expect(machine.send(2, to: "a") == .enqueued, "one consumer per key")
        #expect(machine.consumers == 1)
        var carried: String?
        guard case .process(let first) = machine.step("a", completed: 0, carrying: &carried) else { return failed("") }
        #expect(first == [1, 2])
        carried = "counter=2"
        guard case .end = machine.step("a", completed: 2, carrying: &carried) else {
            return failed("a drained consumer ends")
        }
        #expect(machine.consumers == 0 && machine.count == 1)
        #expect(machine.entries["a"]?.resident == "counter=2")

        #expect(machine.send(3, to: "a") == .start(evicting: nil), "the next message starts a fresh consumer")
        #expect(machine.send(4, to: "a") == .enqueued)
        var fresh: String?
        guard case .process(let second) = machine.step("a", completed: 0, carrying: &fresh) else { return failed("") }
        #expect(fresh == "counter=2", "the fresh consumer carries the resident")
        #expect(second == [3, 4], "in order across bursts")
        #expect(machine.entries["a"]?.resident == nil)
    }

    @Test func aMessageArrivingBeforeTheConsumerAsksAgainKeepsItRunning() {
        var machine = machine()
        _ = machine.send(1, to: "a")
        var carried: String?
        _ = machine.step("a", completed: 0, carrying: &carried)
        #expect(machine.send(2, to: "a") == .enqueued, "the consumer has not ended: no second one")
        carried = "x"
        guard case .process(let batch) = machine.step("a", completed: 1, carrying: &carried) else { return failed("") }
        #expect(batch == [2] && carried == "x" && machine.consumers == 1)
    }

    @Test func sweepPassivatesOnlyEntriesIdleForEnoughSweeps() {
        var machine = machine(idleSweeps: 2)
        makeIdle("a", in: &machine)
        makeIdle("b", in: &machine)
        #expect(machine.sweep().isEmpty)
        _ = machine.send(2, to: "b")  // b is used again: its idle clock restarts
        #expect(machine.sweep() == ["a"])
        #expect(machine.consumers == 2, "a consumer to passivate a, b's for its message")
        var carried: String?
        guard case .passivate(.idle) = machine.step("a", completed: 0, carrying: &carried) else {
            return failed("")
        }
        #expect(carried == "entity-a", "the passivating consumer carries the entity")
        #expect(machine.passivated(key: "a") == .removed(lastDuringShutdown: false))
        #expect(machine.count == 1 && machine.consumers == 1)
    }

    @Test func anIdleEntryWithNothingResidentIsRemovedWithoutAConsumer() {
        var machine = machine(idleSweeps: 1)
        _ = machine.send(1, to: "a")
        var carried: String?
        _ = machine.step("a", completed: 0, carrying: &carried)
        _ = machine.step("a", completed: 1, carrying: &carried)  // never activated: carries nil
        #expect(machine.sweep().isEmpty)
        #expect(machine.count == 0 && machine.consumers == 0)
    }

    @Test func messageArrivingWhilePassivatingReactivates() {
        var machine = machine(idleSweeps: 1)
        makeIdle("a", in: &machine)
        #expect(machine.sweep() == ["a"])
        #expect(machine.send(7, to: "a") == .enqueued, "must queue for the passivating consumer, not start another")
        var carried: String?
        _ = machine.step("a", completed: 0, carrying: &carried)
        #expect(machine.passivated(key: "a") == .reactivate)
        guard case .process(let batch) = machine.step("a", completed: 0, carrying: &carried) else {
            return failed("the message must reach the next incarnation")
        }
        #expect(batch == [7])
    }

    @Test func capEvictsTheLeastRecentlyUsedIdleEntry() {
        var machine = machine(maxEntities: 2)
        makeIdle("a", in: &machine)
        makeIdle("b", in: &machine)
        _ = machine.send(5, to: "a")  // a is busy and more recent
        #expect(machine.send(1, to: "c") == .start(evicting: "b"))
        var carried: String?
        guard case .passivate(.evicted) = machine.step("b", completed: 0, carrying: &carried) else {
            return failed("")
        }
        var full = self.machine(maxEntities: 1)
        _ = full.send(1, to: "x")  // busy, not evictable
        #expect(full.send(1, to: "y") == .rejected(.tooManyEntities))
    }

    @Test func shutdownRefusesDrainsThenReportsTheLastRemoval() {
        var machine = machine()
        makeIdle("a", in: &machine)
        _ = machine.send(1, to: "b")
        let (start, _, isEmpty) = machine.beginShutdown()
        #expect(start == ["a"] && !isEmpty, "idle a gets a consumer to passivate; b has one")
        #expect(machine.send(2, to: "a") == .rejected(.shuttingDown))
        var carriedA: String?
        guard case .passivate(.shutdown) = machine.step("a", completed: 0, carrying: &carriedA)
        else { return failed("") }
        #expect(machine.passivated(key: "a") == .removed(lastDuringShutdown: false))
        var carriedB: String?
        guard case .process(let batch) = machine.step("b", completed: 0, carrying: &carriedB) else {
            return failed("accepted messages are drained")
        }
        #expect(batch == [1])
        guard case .passivate(.shutdown) = machine.step("b", completed: 1, carrying: &carriedB)
        else { return failed("a drained consumer passivates during shutdown instead of ending") }
        #expect(machine.passivated(key: "b") == .removed(lastDuringShutdown: true))
        #expect(machine.consumers == 0)
    }

    @Test func abandonHandsBackWhatIsStillQueued() {
        var machine = machine()
        _ = machine.send(1, to: "a")
        _ = machine.send(2, to: "a")
        _ = machine.beginShutdown()
        machine.abandon()
        var carried: String?
        guard case .abandon(let left) = machine.step("a", completed: 0, carrying: &carried) else {
            return failed("")
        }
        #expect(left == [1, 2])
        #expect(machine.passivated(key: "a") == .removed(lastDuringShutdown: true))
    }
}

/// The consumer's step as a value to compare: the batch it took comes back as an array.
enum Step: Equatable {
    case process([Int])
    case end
    case passivate(PassivationReason)
    case abandon([Int])
}

extension RegistryStateMachine where Envelope == Int {
    /// `next` with a fresh batch deque (as a consumer hands in) and batches of at most 8.
    mutating func step(_ key: Key, completed: Int, carrying resident: inout Resident?) -> Step {
        var batch = Deque<Int>()
        switch next(key: key, completed: completed, maxBatch: 8, resident: &resident, batch: &batch) {
        case .process: return .process(Array(batch))
        case .end: return .end
        case .passivate(let reason): return .passivate(reason)
        case .abandon(let left, _): return .abandon(Array(left))
        }
    }
}

import DequeModule
import Testing

@testable import Runtime

@Suite(.timeLimit(.minutes(3))) struct MailboxStateMachineTests {
    typealias Machine = MailboxStateMachine<Int, String, String>

    @Test func rejectsAtHighWatermarkUntilLowWatermark() {
        var machine = Machine(highWatermark: 4, lowWatermark: 1)
        for value in 0..<4 { guard case .enqueued = machine.send(value) else { return failed("refused") } }
        guard case .full = machine.send(4) else { return failed("accepted past the high watermark") }
        guard case .batch(let first, _) = machine.next(completed: 0, maxBatch: 2) else { return failed("") }
        #expect(Array(first) == [0, 1])
        guard case .full = machine.send(4) else { return failed("in-flight messages must still count") }
        guard case .batch(let second, _) = machine.next(completed: 2, maxBatch: 2) else { return failed("") }
        #expect(Array(second) == [2, 3])
        guard case .full = machine.send(4) else { return failed("2 queued > low watermark 1") }
        guard case .empty = machine.next(completed: 2, maxBatch: 2) else { return failed("") }
        guard case .enqueued = machine.send(4) else { return failed("below the low watermark") }
    }

    @Test func waitingProducersAreAdmittedInOrderAtLowWatermark() {
        var machine = Machine(highWatermark: 2, lowWatermark: 0)
        _ = machine.send(0)
        _ = machine.send(1)
        guard case .waiting = machine.sendOrWait(2, id: 1, producer: "p1") else { return failed("") }
        guard case .waiting = machine.sendOrWait(3, id: 2, producer: "p2") else { return failed("") }
        guard case .waiting = machine.sendOrWait(4, id: 3, producer: "p3") else { return failed("") }
        #expect(machine.removeWaiter(id: 3)?.element == 4)
        guard case .full = machine.send(9) else { return failed("must not overtake waiting producers") }
        guard case .batch(let batch, let none) = machine.next(completed: 0, maxBatch: 10) else { return failed("") }
        #expect(Array(batch) == [0, 1] && none.isEmpty)
        guard case .batch(let next, let admitted) = machine.next(completed: 2, maxBatch: 10) else {
            return failed("")
        }
        #expect(admitted == ["p1", "p2"])
        #expect(Array(next) == [2, 3])
    }

    @Test func parkedConsumerIsWokenByTheNextSend() {
        var machine = Machine(highWatermark: 4, lowWatermark: 2)
        #expect(machine.park("consumer") == nil)
        #expect(machine.isIdle)
        guard case .enqueued(let wake) = machine.send(1) else { return failed("") }
        #expect(wake == "consumer")
        #expect(machine.park("again") == "again")  // an element is queued: do not sleep
    }

    @Test func closeRefusesSendsAndDrainsThenFinishes() {
        var machine = Machine(highWatermark: 1, lowWatermark: 0)
        _ = machine.send(1)
        _ = machine.sendOrWait(2, id: 1, producer: "p")
        let (_, refused) = machine.close()
        #expect(refused.map(\.element) == [2])
        guard case .closed = machine.send(3) else { return failed("") }
        guard case .batch(let batch, _) = machine.next(completed: 0, maxBatch: 8) else { return failed("") }
        #expect(Array(batch) == [1])
        guard case .finished = machine.next(completed: 1, maxBatch: 8) else { return failed("") }
    }
}

import DequeModule
import Testing

@testable import Runtime

@Suite(.timeLimit(.minutes(3))) struct MailboxStateMachineTests {
    typealias Machine = MailboxStateMachine<Int, String>

    @Test func rejectsAtHighWatermarkUntilLowWatermark() {
        var machine = Machine(highWatermark: 4, lowWatermark: 1)
        for value in 0..<4 { guard case .enqueued = machine.send(value) else { return failed("refused") } }
        guard case .full = machine.send(4) else { return failed("accepted past the high watermark") }
        guard case .batch(let first, _) = machine.take(completed: 0, maxBatch: 2) else { return failed("") }
        #expect(first == [0, 1])
        guard case .full = machine.send(4) else { return failed("in-flight messages must still count") }
        guard case .batch(let second, _) = machine.take(completed: 2, maxBatch: 2) else { return failed("") }
        #expect(second == [2, 3])
        guard case .full = machine.send(4) else { return failed("2 queued > low watermark 1") }
        guard case .empty = machine.take(completed: 2, maxBatch: 2) else { return failed("") }
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
        guard case .batch(let batch, let none) = machine.take(completed: 0, maxBatch: 10) else { return failed("") }
        #expect(batch == [0, 1] && none.isEmpty)
        guard case .batch(let next, let admitted) = machine.take(completed: 2, maxBatch: 10) else {
            return failed("")
        }
        #expect(admitted == ["p1", "p2"])
        #expect(next == [2, 3])
    }

    @Test func theFirstSendStartsAConsumerWhichEndsWhenDrained() {
        var machine = Machine(highWatermark: 4, lowWatermark: 2)
        #expect(machine.isIdle && !machine.hasConsumer)
        #expect(machine.send(1) == .enqueued(start: true))
        #expect(machine.send(2) == .enqueued(start: false), "one consumer at a time")
        guard case .batch(let batch, _) = machine.take(completed: 0, maxBatch: 8) else { return failed("") }
        #expect(batch == [1, 2])
        #expect(machine.send(3) == .enqueued(start: false), "the consumer still runs: it takes 3 next")
        guard case .batch(let rest, _) = machine.take(completed: 2, maxBatch: 8) else { return failed("") }
        #expect(rest == [3])
        guard case .empty = machine.take(completed: 1, maxBatch: 8) else { return failed("") }
        let ended = machine.end()
        #expect(ended && machine.isIdle)
        #expect(machine.send(4) == .enqueued(start: true), "the next message starts a fresh consumer")
    }

    @Test func aConsumerDoesNotEndWhileSomethingIsQueued() {
        var machine = Machine(highWatermark: 4, lowWatermark: 2)
        _ = machine.send(1)
        let ended = machine.end()
        #expect(!ended && machine.hasConsumer)
        let claimed = machine.claimConsumer()
        #expect(!claimed, "a second consumer would break ordering")
    }

    @Test func closeRefusesSendsAndDrainsThenFinishes() {
        var machine = Machine(highWatermark: 1, lowWatermark: 0)
        _ = machine.send(1)
        _ = machine.sendOrWait(2, id: 1, producer: "p")
        let refused = machine.close()
        #expect(refused.map(\.element) == [2])
        guard case .closed = machine.send(3) else { return failed("") }
        guard case .batch(let batch, _) = machine.take(completed: 0, maxBatch: 8) else { return failed("") }
        #expect(batch == [1])
        guard case .finished = machine.take(completed: 1, maxBatch: 8) else { return failed("") }
    }
}

/// What the consumer got, as a value to compare.
enum Taken: Equatable {
    case batch([Int], admitted: [String])
    case empty
    case finished
}

extension MailboxStateMachine where Element == Int, Producer == String {
    /// `next` with a fresh deque (as a consumer hands in).
    mutating func take(completed: Int, maxBatch: Int) -> Taken {
        var batch = Deque<Int>()
        switch next(completed: completed, maxBatch: maxBatch, into: &batch) {
        case .batch(let admitted): return .batch(Array(batch), admitted: admitted)
        case .empty: return .empty
        case .finished: return .finished
        }
    }
}

import Testing

@testable import Infra

/// The group-commit queue staggers its batches (``BatchStagger``): tiny batches behind a big one are not started.
@Suite(.timeLimit(.minutes(1))) struct BatchStaggerTests {
    @Test func withNothingInFlightAnyPendingEntryStartsABatch() {
        let stagger = BatchStagger()
        #expect(stagger.mayStart(pending: 1))
        #expect(!stagger.mayStart(pending: 0))
    }

    @Test func whileABatchIsInFlightTheNextWaitsForHalfItsSize() {
        var stagger = BatchStagger()
        stagger.started(100)
        #expect(!stagger.mayStart(pending: 1))
        #expect(!stagger.mayStart(pending: 49))
        #expect(stagger.mayStart(pending: 50))
        stagger.started(50)
        #expect(!stagger.mayStart(pending: 24))
        #expect(stagger.mayStart(pending: 25))
    }

    @Test func aSmallBatchInFlightHoldsNothingBack() {
        var stagger = BatchStagger()
        stagger.started(1)
        #expect(stagger.mayStart(pending: 1))
        stagger.started(2)
        #expect(stagger.mayStart(pending: 1))
    }

    @Test func onceTheLastBatchFinishesAnythingPendingStarts() {
        var stagger = BatchStagger()
        stagger.started(100)
        stagger.started(60)
        stagger.finished()
        #expect(!stagger.mayStart(pending: 10))
        stagger.finished()
        #expect(stagger.mayStart(pending: 1))
        stagger.finished()
        #expect(stagger.inFlight == 0)
    }

    @Test func aWindowHoldsSmallBatchesApartUnlessEnoughArePending() {
        var stagger = BatchStagger(window: .milliseconds(10), enough: 4)
        let start = ContinuousClock.now
        #expect(stagger.decide(pending: 1, now: start) == .start, "the first batch of a quiet queue waits for nothing")
        stagger.started(1, at: start)
        stagger.finished()
        let soon = start + .milliseconds(2)
        #expect(stagger.decide(pending: 1, now: soon) == .gather(until: start + .milliseconds(10)))
        stagger.setGathering(true)
        #expect(stagger.decide(pending: 3, now: soon) == .wait, "one flusher gathers, the others wait")
        #expect(stagger.decide(pending: 4, now: soon) == .start)
        stagger.setGathering(false)
        #expect(stagger.decide(pending: 1, now: start + .milliseconds(10)) == .start)
    }

    @Test func belowEnoughNoSecondBatchStartsBesideOneInFlight() {
        var stagger = BatchStagger(enough: 4)
        stagger.started(2, at: .now)
        #expect(stagger.decide(pending: 3, now: .now) == .wait)
        #expect(stagger.decide(pending: 4, now: .now) == .start)
        stagger.started(20, at: .now)
        #expect(stagger.decide(pending: 9, now: .now) == .wait, "half the last batch still rules above enough")
        #expect(stagger.decide(pending: 10, now: .now) == .start)
        stagger.finished()
        stagger.finished()
        #expect(stagger.decide(pending: 1, now: .now) == .start, "with nothing in flight, one entry goes")
    }

    /// Through the queue with two flushers: the second does not start a batch of one behind the first's ten (it
    /// did: a flusher woke for each first entry), and what is pending when the batches in flight finish goes.
    @Test func theQueueStaggersTwoFlushers() async throws {
        let queue = BatchQueue<Int>(maximumBatch: 256, maximumPending: 1000, flushers: 2)
        let gates = Gates()
        let (batches, observed) = AsyncStream.makeStream(of: [Int].self)
        for entry in 1...10 { #expect(queue.enqueue(entry)) }
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await queue.run { batch in
                    observed.yield(batch)
                    await gates.wait()
                }
            }
            var seen = batches.makeAsyncIterator()
            #expect(await seen.next() == Array(1...10))
            // Four pending behind a batch of ten: not enough to start another (the fifth makes half).
            for entry in 11...15 { #expect(queue.enqueue(entry)) }
            #expect(await seen.next() == Array(11...15))
            // Two pending behind a batch of five wait for the batches in flight to finish, then go together.
            for entry in 16...17 { #expect(queue.enqueue(entry)) }
            await gates.open()
            await gates.open()
            #expect(await seen.next() == [16, 17])
            await gates.open()
            group.cancelAll()
        }
    }
}

extension BatchStagger {
    /// The rule without a window: whether a batch starts now.
    fileprivate func mayStart(pending: Int) -> Bool { decide(pending: pending, now: .now) == .start }

    fileprivate mutating func started(_ size: Int) { started(size, at: .now) }
}

/// Flushes that wait until the test lets them finish, in the order they started.
private actor Gates {
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var opened = 0

    func wait() async {
        if opened > 0 {
            opened -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
        if waiting.isEmpty {
            opened += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

import Testing

@testable import Infra

/// ``BatchQueue``'s gather window (``GroupCommitOptions/gatherWindow``): the writers nobody waits on take fewer,
/// larger batches.
@Suite(.timeLimit(.minutes(1))) struct BatchQueueTests {
    /// The window runs from the batch's start, a little before its flush records the time: what a test may lose.
    static let clockSlack = Duration.milliseconds(50)

    /// With a window, what arrives after a batch started waits for the window to pass and then leaves in one
    /// batch; the first entry of a quiet queue leaves at once.
    @Test func aGatherWindowHoldsTheNextBatchUntilItPasses() async throws {
        let window = Duration.milliseconds(300)
        let queue = BatchQueue<Int>(maximumBatch: 64, maximumPending: 100, flushers: 1, gatherWindow: window)
        try await withRecordedBatches(queue) { batches in
            let enqueued = ContinuousClock.now
            #expect(queue.enqueue(1))
            let first = try #require(await batches.next())
            #expect(first.batch == [1])
            #expect(first.at - enqueued < window, "the first entry of a quiet queue waits for nothing")
            #expect(queue.enqueue(2))
            #expect(queue.enqueue(3))
            let second = try #require(await batches.next())
            #expect(second.batch == [2, 3])
            #expect(second.at - first.at >= window - Self.clockSlack)
        }
    }

    /// The window is the queue's, not a flusher's: an idle second flusher does not start the next batch early.
    @Test func theWindowHoldsWhicheverFlusherIsFree() async throws {
        let window = Duration.milliseconds(300)
        let queue = BatchQueue<Int>(maximumBatch: 64, maximumPending: 100, flushers: 2, gatherWindow: window)
        try await withRecordedBatches(queue) { batches in
            #expect(queue.enqueue(1))
            let first = try #require(await batches.next())
            #expect(queue.enqueue(2))
            let second = try #require(await batches.next())
            #expect(second.batch == [2])
            #expect(second.at - first.at >= window - Self.clockSlack)
        }
    }

    /// `gatherEnough` pending entries start a batch at once, window or not.
    @Test func enoughPendingEntriesDoNotWaitOutTheWindow() async throws {
        let queue = BatchQueue<Int>(
            maximumBatch: 64, maximumPending: 100, flushers: 2, gatherWindow: .seconds(5), gatherEnough: 3)
        try await withRecordedBatches(queue) { batches in
            #expect(queue.enqueue(1))
            let first = try #require(await batches.next())
            for entry in 2...4 { #expect(queue.enqueue(entry)) }
            let second = try #require(await batches.next())
            #expect(second.batch == [2, 3, 4])
            #expect(second.at - first.at < .seconds(2))
        }
    }
}

/// A batch as its flush saw it: the entries and when the flush began.
private typealias StartedBatch = (batch: [Int], at: ContinuousClock.Instant)

/// Runs `queue` with a flush that records each batch, and `body` with the recorded batches in order; the queue
/// stops when `body` returns.
private func withRecordedBatches(
    _ queue: BatchQueue<Int>, _ body: (inout AsyncStream<StartedBatch>.Iterator) async throws -> Void
) async throws {
    let (started, record) = AsyncStream.makeStream(of: StartedBatch.self)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await queue.run { batch in record.yield((batch, .now)) } }
        defer { group.cancelAll() }
        var batches = started.makeAsyncIterator()
        try await body(&batches)
    }
}

import Glibc
import ServiceLifecycle

extension IOEventLoop: Service {
    /// Runs until graceful shutdown (or cancellation), then stops the loop.
    public func run() async throws {
        try? await gracefulShutdown()
        await stop()
    }

    /// Stops the loop: the work already submitted runs, then the thread leaves its loop and is joined. Call it
    /// when nothing uses the loop any more: watchers and timers still registered are dropped, and work submitted
    /// afterwards (a closure, an actor job) never runs. Calling it again returns at once; calling it on the loop
    /// thread is a programming error.
    public func stop() async {
        precondition(!inEventLoop, "IOEventLoop '\(name)': stop() called on the loop's own thread")
        let first = submissions.withLock { state -> Bool in
            defer { state.stopRequested = true }
            return !state.stopRequested
        }
        if first { wake() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = submissions.withLock { state -> Bool in
                if !state.exited { state.stopWaiters.append(continuation) }
                return state.exited
            }
            if exited { continuation.resume() }
        }
        // The thread has left its loop and is returning: the join is immediate.
        if joined.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            pthread_join(pthread_t(threadID.load(ordering: .acquiring)), nil)
            // A joined thread's id may be reused by a new thread, which must not look like this loop's.
            threadID.store(0, ordering: .releasing)
        }
    }
}

import Synchronization

/// Answers waiters whose deadline passed, from one loop for all of them: no task and no timer per waiter.
///
/// ``add(_:deadline:)`` costs a lock and an append. While any waiter is pending, ``run()`` wakes every
/// `resolution`, forgets the waiters answered meanwhile and expires those whose deadline passed with the queue's
/// error, so a waiter is answered at most one `resolution` late. With nothing pending the loop sleeps until the next
/// `add`. Waiters added after `run()` ended are never expired (their work still answers them).
public final class DeadlineQueue<C: Clock<Duration>>: Sendable {
    private struct Entry {
        var deadline: C.Instant
        var waiter: any DeadlineExpirable
    }

    private struct State {
        var entries: [Entry] = []
        var idle: CheckedContinuation<Void, Never>?
        var stopped = false
    }

    private let clock: C
    private let resolution: Duration
    private let error: any Error
    private let state = Mutex(State())

    /// A queue on `clock` answering expired waiters with `error`, checking every `resolution` while any is pending.
    public init(clock: C, resolution: Duration = .milliseconds(50), error: any Error) {
        self.clock = clock
        self.resolution = max(resolution, .milliseconds(1))
        self.error = error
    }

    /// Waiters not yet forgotten (answered ones stay until the next pass).
    public var pendingCount: Int { state.withLock { $0.entries.count } }

    /// Expires `waiter` at `deadline` unless it is answered before.
    public func add(_ waiter: any DeadlineExpirable, deadline: C.Instant) {
        let idle = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.stopped else { return nil }
            state.entries.append(Entry(deadline: deadline, waiter: waiter))
            return state.idle.take()
        }
        idle?.resume()
    }

    /// Expires waiters until the task is cancelled.
    public func run() async {
        defer {
            state.withLock { state in
                state.stopped = true
                state.entries.removeAll()
            }
        }
        while !Task.isCancelled {
            await waitForWaiters()
            do {
                try await clock.sleep(for: resolution)
            } catch {
                return
            }
            expireDue()
        }
    }

    /// One pass: forgets answered waiters and answers those whose deadline passed.
    func expireDue() {
        let now = clock.now
        var due: [any DeadlineExpirable] = []
        state.withLock { state in
            state.entries.removeAll { entry in
                if entry.waiter.isSettled { return true }
                guard entry.deadline <= now else { return false }
                due.append(entry.waiter)
                return true
            }
        }
        for waiter in due { _ = waiter.expire(with: error) }
    }

    private func waitForWaiters() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (idle: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if !state.entries.isEmpty || state.stopped { return true }
                    state.idle = idle
                    return false
                }
                if ready { idle.resume() }
            }
        } onCancel: {
            state.withLock { state in
                state.stopped = true
                return state.idle.take()
            }?.resume()
        }
    }
}

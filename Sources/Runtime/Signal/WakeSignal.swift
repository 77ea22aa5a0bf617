import Synchronization

/// A level-triggered wake-up for one waiting loop: ``signal()`` wakes the waiter, or is remembered (once) when
/// nobody waits, so a signal sent between two waits is never lost. Many signals before a wait count as one.
///
/// ```swift
/// let wake = WakeSignal()
/// // producer: wake.signal()
/// // loop: await wake.wait(timeout: .seconds(2))   // returns on a signal or after the timeout
/// ```
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a signal with nothing pending.
    public init() {}

    /// Whether a signal is remembered and not yet consumed by a wait.
    public var isPending: Bool { state.withLock { $0.pending } }

    /// Wakes the waiter, or remembers the signal for the next wait.
    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Waits for a signal (returns at once when one is pending) or for the task's cancellation. One waiter at a
    /// time: a second concurrent waiter replaces and releases the first.
    public func wait() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                    if state.pending {
                        state.pending = false
                        return [continuation]
                    }
                    if Task.isCancelled { return [continuation] }
                    let replaced = state.waiter?.continuation
                    state.waiter = (id, continuation)
                    return replaced.map { [$0] } ?? []
                }
                for continuation in resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let waiter = state.waiter, waiter.id == id else { return nil }
                state.waiter = nil
                return waiter.continuation
            }
            waiter?.resume()
        }
    }

    /// Waits for a signal, at most `timeout`.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}

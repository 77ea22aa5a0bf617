import Synchronization

/// The answer to one suspended caller, given at most once: by the work it waits for, or by a ``DeadlineQueue``
/// when its deadline passes first. Whichever comes second is dropped (`resume` answers `false`), so the work may
/// finish after its caller stopped waiting without resuming a continuation twice.
public final class OneShotReply<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, any Error>?>

    /// Wraps the caller's continuation.
    public init(_ continuation: CheckedContinuation<Value, any Error>) {
        self.continuation = Mutex(continuation)
    }

    /// True once the caller has its answer (from the work or its deadline).
    public var isSettled: Bool { continuation.withLock { $0 == nil } }

    /// Answers `value`; `false` if the caller was answered already.
    @discardableResult
    public func resume(returning value: sending Value) -> Bool {
        guard let waiting = continuation.withLock({ $0.take() }) else { return false }
        waiting.resume(returning: value)
        return true
    }

    /// Answers `error`; `false` if the caller was answered already.
    @discardableResult
    public func resume(throwing error: any Error) -> Bool {
        guard let waiting = continuation.withLock({ $0.take() }) else { return false }
        waiting.resume(throwing: error)
        return true
    }
}

extension OneShotReply: DeadlineExpirable {
    public func expire(with error: any Error) -> Bool { resume(throwing: error) }
}

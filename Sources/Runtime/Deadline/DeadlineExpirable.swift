/// A waiter a ``DeadlineQueue`` can answer with an error once its deadline passes.
public protocol DeadlineExpirable: AnyObject, Sendable {
    /// True once the waiter has its answer (the queue then forgets it).
    var isSettled: Bool { get }

    /// Answers the waiter with `error` unless it was answered already; `false` then.
    func expire(with error: any Error) -> Bool
}

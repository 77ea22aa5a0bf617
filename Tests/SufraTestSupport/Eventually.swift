/// A condition a test awaited did not hold before its deadline.
public struct TimedOut: Error, CustomStringConvertible {
    /// What was awaited.
    public let description: String
}

/// Polls `condition` until it holds, throwing ``TimedOut`` once `timeout` passes: tests await a condition
/// instead of sleeping for a guess, and fail, not hang, when it never comes.
public func eventually(
    timeout: Duration = .seconds(10), _ what: String, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(description: "timed out waiting for: \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// The continuation a registry caller is parked on (an `ask`'s reply, a sender waiting for room, `run()` waiting
/// for consumers to start): checked in debug builds, so tests catch a continuation resumed twice or never, and
/// unsafe in release builds.
///
/// `CheckedContinuation`'s layout is resilient (opaque outside the standard library), so every envelope holding
/// one was copied and destroyed through generic value witnesses and metadata lookups: about a quarter of the
/// registry's time per message in a release profile (BENCHMARKS.md, Runtime). `UnsafeContinuation` is one frozen
/// pointer. The registry resumes each exactly once by construction: the state machine hands every envelope and
/// every waiting sender to exactly one place that resumes it (delivered, failed, refused or expired).
#if DEBUG
typealias RegistryContinuation<T, E: Error> = CheckedContinuation<T, E>
#else
typealias RegistryContinuation<T, E: Error> = UnsafeContinuation<T, E>
#endif

/// Suspends the caller on a ``RegistryContinuation`` handed to `body`.
func withRegistryContinuation<T: Sendable>(
    isolation: isolated (any Actor)? = #isolation, _ body: (RegistryContinuation<T, any Error>) -> Void
) async throws -> T {
    #if DEBUG
    try await withCheckedThrowingContinuation(isolation: isolation, body)
    #else
    try await withUnsafeThrowingContinuation(isolation: isolation, body)
    #endif
}

/// Suspends the caller on a non-throwing ``RegistryContinuation`` handed to `body`.
func withRegistryContinuation(
    isolation: isolated (any Actor)? = #isolation, _ body: (RegistryContinuation<Void, Never>) -> Void
) async {
    #if DEBUG
    await withCheckedContinuation(isolation: isolation, body)
    #else
    await withUnsafeContinuation(isolation: isolation, body)
    #endif
}

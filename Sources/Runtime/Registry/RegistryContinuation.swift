/// The continuation a registry caller is parked on (a sender waiting for room in a full mailbox, `run()` waiting
/// for consumers to start): checked in debug builds, so tests catch a continuation resumed twice or never, and
/// unsafe in release builds.
///
/// `CheckedContinuation`'s layout is resilient (opaque outside the standard library), so every value holding one
/// inline is copied, tested for nil and destroyed through generic value witnesses that look up type metadata: when
/// the envelope held the asker's continuation, that was about 40 % of the registry's time per message in a release
/// profile (BENCHMARKS.md, Runtime). `UnsafeContinuation` is one frozen pointer. (An asker's reply is a
/// `OneShotReply`, one reference.) The registry resumes each exactly once by construction: the state machine hands
/// every waiting sender to exactly one place that resumes it (admitted, refused or expired).
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

extension Actor {
    /// `assumeIsolated` for the C libraries' callbacks (hiredis replies, libpq and libcurl readiness), which run on
    /// the actor's loop thread many times per webhook.
    ///
    /// The standard `assumeIsolated` wraps its closure in `withoutActuallyEscaping`, which allocates twice per call:
    /// a few hundred thousand allocations a second under load. Here `body` captures nothing (what it needs comes as
    /// `argument`), so it is a plain function pointer and a call allocates nothing. Traps, like `assumeIsolated`,
    /// when not called on the actor's executor.
    ///
    /// ```swift
    /// connection.assumeIsolated(with: readiness) { connection, readiness in connection.handle(readiness) }
    /// ```
    nonisolated func assumeIsolated<Argument, Result>(
        with argument: Argument, _ body: @escaping (isolated Self, Argument) -> Result
    ) -> Result {
        preconditionIsolated("called off the actor's loop thread")
        // Safe: the check above proves this runs on the actor's executor, which is all `isolated Self` promises;
        // the two function types differ in nothing else (the standard library's `assumeIsolated` casts the same way).
        let onExecutor = unsafeBitCast(body, to: ((Self, Argument) -> Result).self)
        return onExecutor(self, argument)
    }
}

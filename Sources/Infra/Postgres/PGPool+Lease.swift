extension PGPool {
    /// Leases a connection for the duration of `body`, then returns it to the pool. A connection that broke,
    /// or that `body` left inside an open transaction, is closed instead of reused.
    @discardableResult
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        let leased = try await measuredLease()
        do {
            let result = try await body(leased.connection)
            release(leased)
            return result
        } catch {
            release(leased)
            throw error
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT` on one leased connection; any error thrown by `body` rolls back.
    /// Throws `.transactionRolledBack` when COMMIT reports ROLLBACK (a failed statement inside was swallowed).
    @discardableResult
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.simpleQuery("BEGIN")
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                // If ROLLBACK fails the connection is broken or still in a transaction; release() then drops it.
                _ = try? await connection.simpleQuery("ROLLBACK")
                throw error
            }
            let commit = try await connection.simpleQuery("COMMIT")
            guard commit.commandTag != "ROLLBACK" else {
                throw PGError(.transactionRolledBack, "COMMIT rolled back: a statement in the transaction failed")
            }
            return result
        }
    }

    /// Runs one statement on a leased connection and returns its rows.
    @discardableResult
    public func query(_ query: PGQuery) async throws -> PGRows {
        try await withConnection { try await $0.query(query) }
    }

    /// Runs one statement on a leased connection and returns the rows it affected.
    @discardableResult
    public func execute(_ query: PGQuery) async throws -> Int {
        try await withConnection { try await $0.execute(query) }
    }

    func lease() async throws -> Leased {
        let waiter = state.withLock { shell in
            shell.nextWaiterID += 1
            return shell.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Leased, any Error>) in
                let actions = state.withLock { shell in
                    shell.waiters[waiter] = continuation
                    // Checked under the lock: a cancellation that raced ahead of registration is seen here.
                    return Task.isCancelled
                        ? PGPoolStateMachine.Actions(fail: [(waiter, .cancelled)])
                        : shell.machine.leaseRequested(waiter)
                }
                perform(actions)
            }
        } onCancel: {
            perform(state.withLock { $0.machine.waiterCancelled(waiter) })
        }
    }

    func release(_ leased: Leased) {
        metrics.leased.decrement()
        let connection = leased.connection
        let reusable = !connection.isClosed && !connection.isInTransaction
        perform(state.withLock { $0.machine.connectionReleased(leased.id, reusable: reusable) })
    }
}

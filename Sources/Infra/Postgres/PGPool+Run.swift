import ServiceLifecycle

extension PGPool {
    /// Opens and maintains the connections until graceful shutdown or cancellation, then closes them all
    /// (waiting for leased connections to come back) and returns.
    public func run() async throws {
        let alreadyFinished = state.withLock { $0.finished }
        guard !alreadyFinished else { return }
        perform(state.withLock { $0.machine.start() })
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withDiscardingTaskGroup { group in
                    for await event in events {
                        switch event {
                        case .connect(let id):
                            group.addTask { await self.openConnection(id) }
                        case .backoff(let delay):
                            group.addTask {
                                // Cancellation (shutdown) ends the sleep early; the machine ignores a late report.
                                try? await Task.sleep(for: delay)
                                self.perform(self.state.withLock { $0.machine.backoffElapsed() })
                            }
                        case .finish:
                            return
                        }
                    }
                }
            } onCancel: {
                self.shutdown()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
    }

    /// Starts a graceful shutdown: waiting callers fail, idle connections close, leased ones close on release.
    public func shutdown() {
        perform(state.withLock { $0.machine.shutdown() })
    }

    private func openConnection(_ id: PGPoolStateMachine.ConnectionID) async {
        do {
            let connection = try await PGConnection.connect(
                configuration: configuration, loop: loop,
                onClose: { [weak self] in self?.connectionClosed(id) })
            countOpened()
            let actions = state.withLock { shell in
                shell.connections[id] = connection
                shell.lastConnectError = nil
                return shell.machine.connectionEstablished(id)
            }
            perform(actions)
        } catch {
            countConnectFailure()
            let failure =
                (error as? PGError) ?? PGError(.connectionFailed, "connect failed: \(error)")
            logger.warning("postgres connect failed", metadata: ["error": "\(failure)"])
            let actions = state.withLock { shell in
                shell.lastConnectError = failure
                return shell.machine.connectionFailed(id)
            }
            perform(actions)
        }
    }

    private func connectionClosed(_ id: PGPoolStateMachine.ConnectionID) {
        countClosed()
        perform(state.withLock { $0.machine.connectionClosed(id) })
    }

    /// Carries out the machine's decisions; never called with the lock held.
    func perform(_ actions: PGPoolStateMachine.Actions) {
        guard actions != PGPoolStateMachine.Actions() else { return }
        let (leases, failures, closing) = state.withLock { shell in
            var leases: [(CheckedContinuation<Leased, any Error>, Leased)] = []
            var failures: [(CheckedContinuation<Leased, any Error>, any Error)] = []
            for (waiter, connection) in actions.lease {
                guard let continuation = shell.waiters.removeValue(forKey: waiter),
                    let leased = shell.connections[connection]
                else { continue }
                leases.append((continuation, Leased(id: connection, connection: leased)))
            }
            for (waiter, failure) in actions.fail {
                guard let continuation = shell.waiters.removeValue(forKey: waiter) else { continue }
                failures.append((continuation, error(for: failure, lastConnectError: shell.lastConnectError)))
            }
            var closing: [PGConnection] = []
            for id in actions.close {
                if let connection = shell.connections.removeValue(forKey: id) { closing.append(connection) }
            }
            if actions.finished { shell.finished = true }
            return (leases, failures, closing)
        }
        for (continuation, error) in failures { continuation.resume(throwing: error) }
        for (continuation, leased) in leases { continuation.resume(returning: leased) }
        for connection in closing { loop.execute { connection.assumeIsolated { $0.close() } } }
        for id in actions.connect { eventSink.yield(.connect(id)) }
        if let delay = actions.backoff { eventSink.yield(.backoff(delay)) }
        if let waiter = actions.startTimeout {
            let timeout = options.acquireTimeout
            loop.execute { [weak self] in
                self?.loop.schedule(after: timeout) { [weak self] in
                    guard let self else { return }
                    self.perform(self.state.withLock { $0.machine.waiterTimedOut(waiter) })
                }
            }
        }
        if actions.finished {
            eventSink.yield(.finish)
            eventSink.finish()
        }
    }

    private func error(
        for failure: PGPoolStateMachine.Failure, lastConnectError: PGError?
    ) -> any Error {
        switch failure {
        case .shutDown:
            return PGError(.poolShutDown, "the PostgreSQL pool is shut down")
        case .timedOut(running: true):
            var message = "no PostgreSQL connection became free within \(options.acquireTimeout)"
            if let lastConnectError { message += " (last connect error: \(lastConnectError.message))" }
            return PGError(.acquireTimeout, message)
        case .timedOut(running: false):
            return PGError(
                .poolNotRunning, "PGPool.run() is not running; no connection within \(options.acquireTimeout)")
        case .tooManyWaiters:
            return PGError(.tooManyWaiters, "more than \(options.maximumWaiters) callers wait for a connection")
        case .unavailable:
            let reason = lastConnectError?.message ?? "connecting failed"
            return PGError(.unavailable, "PostgreSQL is unavailable: \(reason)")
        case .cancelled:
            return CancellationError()
        }
    }
}

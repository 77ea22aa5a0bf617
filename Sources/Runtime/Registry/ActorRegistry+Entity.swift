import DequeModule
import Metrics

extension ActorRegistry {
    /// The consumer of one key for one burst: a child task of `run()` started by the message that found the key
    /// without one (or by a passivation). It takes the key's resident value, handles batches until the mailbox is
    /// empty and then ends, leaving the value in the entry; passivation with messages arriving meanwhile
    /// re-activates in this same task.
    func runEntity(_ key: Key) async {
        var carried: Resident?
        var batch = Deque<Envelope>()
        var completed = 0
        while true {
            let (action, left) = state.withLock { state in
                let action = state.machine.next(
                    key: key, completed: completed, maxBatch: configuration.maxBatch, resident: &carried,
                    batch: &batch)
                return (action, state.machine.entries[key]?.mailbox.queued ?? 0)
            }
            completed = 0
            switch action {
            case .process(let admitted):
                metrics.depth.record(batch.count + left)
                for producer in admitted { producer.resume() }
                var resident = carried.take() ?? Resident()
                while let envelope = batch.popFirst() {
                    completed += 1
                    if abandoning.load(ordering: .relaxed) {
                        Self.fail(envelope, with: RegistryError.shuttingDown)
                        continue
                    }
                    // Nobody waits for it any more (the asker's deadline passed): dropped before it starts.
                    if envelope.isAbandoned { continue }
                    if resident.entity == nil {
                        switch await activate(key, &resident, for: envelope) {
                        case .active: break
                        case .abandoned: continue
                        case .gaveUp:
                            Self.fail(envelope, with: RegistryError.entityStopped)
                            stop(key, failing: batch)
                            return
                        }
                    }
                    await deliver(envelope, to: &resident, key: key)
                    if resident.isExhausted {
                        stop(key, failing: batch)
                        return
                    }
                }
                carried = resident.isBlank ? nil : resident
            case .end:
                return
            case .passivate(let reason):
                guard await passivate(&carried, key: key, reason: reason) else { return }
            case .abandon(let envelopes, let refused):
                for envelope in envelopes { Self.fail(envelope, with: RegistryError.shuttingDown) }
                for waiter in refused { Self.fail(waiter, with: RegistryError.shuttingDown) }
                guard await passivate(&carried, key: key, reason: .shutdown) else { return }
            }
        }
    }

    /// What became of an activation attempted for a message.
    private enum Activation {
        /// The entity is live.
        case active
        /// The message's asker stopped waiting (deadline) while the factory failed: the next message tries again.
        case abandoned
        /// The restart limit was reached (the failure is escalated).
        case gaveUp
    }

    /// Creates the entity with the factory for `envelope`, retrying failures under the restart policy for as long
    /// as its asker waits: a failing factory never holds an asker past its deadline.
    private func activate(_ key: Key, _ resident: inout Resident, for envelope: Envelope) async -> Activation {
        while !resident.isExhausted {
            if envelope.isAbandoned { return .abandoned }
            do {
                resident.entity = try await factory(key)
                metrics.activated.increment()
                return .active
            } catch {
                logger.warning("entity activation failed", metadata: ["key": "\(key)", "error": "\(error)"])
                await recordFailure(key, error: error, resident: &resident)
            }
        }
        return .gaveUp
    }

    /// Handles one message. A plain error fails the message; `BrokenEntityError` also drops the instance and
    /// applies the restart policy (backoff now, re-creation at the next message).
    private func deliver(_ envelope: Envelope, to resident: inout Resident, key: Key) async {
        guard var current = resident.entity.take() else { return }
        do {
            let reply = try await current.handle(envelope.message)
            resident.entity = current
            envelope.reply?.resume(returning: reply)
        } catch let broken as BrokenEntityError {
            logger.warning("entity broken", metadata: ["key": "\(key)", "error": "\(broken.underlying)"])
            Self.fail(envelope, with: broken.underlying)
            await recordFailure(key, error: broken.underlying, resident: &resident)
        } catch {
            resident.entity = current
            if let reply = envelope.reply {
                reply.resume(throwing: error)
            } else {
                logger.warning("told message failed", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
    }

    private func recordFailure(_ key: Key, error: any Error, resident: inout Resident) async {
        var restarts = resident.restarts?.value ?? RestartStateMachine(policy: configuration.restartPolicy)
        let decision = restarts.failed(now: clock.now, random: Double.random(in: 0..<1))
        resident.restarts = Box(restarts)
        switch decision {
        case .restart(let delay):
            try? await clock.sleep(for: delay)
        case .stop:
            logger.error("entity exceeded its restart limit", metadata: ["key": "\(key)", "error": "\(error)"])
            await onEscalation(key, error)
        }
    }

    /// Calls `onPassivate`, then asks the state machine whether messages arrived meanwhile (`true`: carry on with
    /// the next incarnation) or the entry is gone (`false`: the task ends).
    private func passivate(_ carried: inout Resident?, key: Key, reason: PassivationReason) async -> Bool {
        if var entity = carried?.entity.take() {
            await entity.onPassivate(reason: reason)
            metrics.passivated(reason)
        }
        if carried?.isBlank == true { carried = nil }
        let after = state.withLock { state in
            defer { metrics.live.set(state.machine.count) }
            return state.machine.passivated(key: key)
        }
        switch after {
        case .reactivate:
            return true
        case .removed(let last):
            if last { markAllStopped() }
            return false
        }
    }

    /// Removes a stopped entry and fails everything still addressed to it.
    private func stop(_ key: Key, failing rest: Deque<Envelope>) {
        let stopped = state.withLock { state in
            defer { metrics.live.set(state.machine.count) }
            return state.machine.stop(key: key)
        }
        for envelope in rest { Self.fail(envelope, with: RegistryError.entityStopped) }
        for envelope in stopped.elements { Self.fail(envelope, with: RegistryError.entityStopped) }
        for waiter in stopped.refused { Self.fail(waiter, with: RegistryError.entityStopped) }
        if stopped.lastDuringShutdown { markAllStopped() }
    }

    static func fail(_ envelope: Envelope, with error: any Error) {
        envelope.reply?.resume(throwing: error)
    }
}

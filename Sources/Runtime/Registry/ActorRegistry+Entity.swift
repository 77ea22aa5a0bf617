import DequeModule
import Metrics

extension ActorRegistry {
    /// The consumer loop of one key: a child task of `run()` that lives as long as the entry does, across
    /// incarnations (passivation with messages arriving meanwhile re-activates in this same task).
    func runEntity(_ key: Key) async {
        var entity: Entity?
        var restarts = RestartStateMachine<C.Instant>(policy: configuration.restartPolicy)
        var completed = 0
        while true {
            let (action, left) = state.withLock { state in
                let action = state.machine.next(key: key, completed: completed, maxBatch: configuration.maxBatch)
                return (action, state.machine.entries[key]?.mailbox.queued ?? 0)
            }
            completed = 0
            switch action {
            case .process(var batch, let admitted):
                metrics.depth.record(batch.count + left)
                for producer in admitted { producer.resume() }
                while let envelope = batch.popFirst() {
                    completed += 1
                    if abandoning.load(ordering: .relaxed) {
                        Self.fail(envelope, with: RegistryError.shuttingDown)
                        continue
                    }
                    if entity == nil { entity = await activate(key, restarts: &restarts) }
                    guard entity != nil else {
                        Self.fail(envelope, with: RegistryError.entityStopped)
                        stop(key, failing: batch)
                        return
                    }
                    await deliver(envelope, to: &entity, key: key, restarts: &restarts)
                    if restarts.isExhausted {
                        stop(key, failing: batch)
                        return
                    }
                }
            case .park:
                await withCheckedContinuation { (consumer: Consumer) in
                    state.withLock { $0.machine.park(key: key, consumer: consumer) }?.resume()
                }
            case .passivate(let reason):
                guard await passivate(&entity, key: key, reason: reason) else { return }
            case .abandon(let envelopes, let refused):
                for envelope in envelopes { Self.fail(envelope, with: RegistryError.shuttingDown) }
                for waiter in refused { Self.fail(waiter, with: RegistryError.shuttingDown) }
                guard await passivate(&entity, key: key, reason: .shutdown) else { return }
            }
        }
    }

    /// Creates the entity with the factory, retrying failures under the restart policy; `nil` once it gives up
    /// (the failure is escalated).
    private func activate(_ key: Key, restarts: inout RestartStateMachine<C.Instant>) async -> Entity? {
        while !restarts.isExhausted {
            do {
                let entity = try await factory(key)
                metrics.activated.increment()
                return entity
            } catch {
                logger.warning("entity activation failed", metadata: ["key": "\(key)", "error": "\(error)"])
                await recordFailure(key, error: error, restarts: &restarts)
            }
        }
        return nil
    }

    /// Handles one message. A plain error fails the message; `BrokenEntityError` also drops the instance and
    /// applies the restart policy (backoff now, re-creation at the next message).
    private func deliver(
        _ envelope: Envelope, to entity: inout Entity?, key: Key, restarts: inout RestartStateMachine<C.Instant>
    ) async {
        guard var current = entity else { return }
        entity = nil
        do {
            let reply = try await current.handle(envelope.message)
            entity = current
            envelope.reply?.resume(returning: reply)
        } catch let broken as BrokenEntityError {
            logger.warning("entity broken", metadata: ["key": "\(key)", "error": "\(broken.underlying)"])
            Self.fail(envelope, with: broken.underlying)
            await recordFailure(key, error: broken.underlying, restarts: &restarts)
        } catch {
            entity = current
            if let reply = envelope.reply {
                reply.resume(throwing: error)
            } else {
                logger.warning("told message failed", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
    }

    private func recordFailure(_ key: Key, error: any Error, restarts: inout RestartStateMachine<C.Instant>) async {
        switch restarts.failed(now: clock.now, random: Double.random(in: 0..<1)) {
        case .restart(let delay):
            try? await clock.sleep(for: delay)
        case .stop:
            logger.error("entity exceeded its restart limit", metadata: ["key": "\(key)", "error": "\(error)"])
            await onEscalation(key, error)
        }
    }

    /// Calls `onPassivate`, then asks the state machine whether messages arrived meanwhile (`true`: carry on with
    /// the next incarnation) or the entry is gone (`false`: the task ends).
    private func passivate(_ entity: inout Entity?, key: Key, reason: PassivationReason) async -> Bool {
        if var current = entity {
            entity = nil
            await current.onPassivate(reason: reason)
            metrics.passivated(reason)
        }
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

extension ActorRegistry {
    /// Sends `message` to `key` without waiting (policy *reject now*): throws `RegistryError.mailboxFull`,
    /// `.tooManyEntities` or `.shuttingDown` at once. Handler errors of told messages are logged.
    public func tell(_ key: Key, _ message: Entity.Message) throws(RegistryError) {
        try submit(Envelope(message: message, reply: nil), to: key)
    }

    /// Sends `message` to `key`, waiting up to `timeout` for room in its mailbox (policy *suspend*).
    public func tell(_ key: Key, _ message: Entity.Message, timeout: Duration) async throws {
        do {
            return try submit(Envelope(message: message, reply: nil), to: key)
        } catch  where error == .mailboxFull {}
        try await waitForRoom(key: key, timeout: timeout) { id in
            try await withCheckedThrowingContinuation { (producer: Producer) in
                self.submitOrWait(Envelope(message: message, reply: nil), to: key, id: id, producer: producer) {
                    producer.resume(throwing: $0)
                }
            }
        }
    }

    /// Sends `message` to `key` and returns the entity's reply (or rethrows its error). `admission` decides what
    /// happens when the mailbox is full. Once admitted, the message is handled even if the caller is cancelled.
    ///
    /// With a `timeout`, the caller stops waiting when it passes (within the registry's `deadlineResolution`) and
    /// gets `RegistryError.deadlineExceeded`: a message not started by then is dropped unhandled, one already
    /// started finishes with nobody waiting. The wait for room in a full mailbox counts against the same timeout.
    public func ask(
        _ key: Key, _ message: Entity.Message, admission: Admission = .reject, timeout: Duration? = nil
    ) async throws
        -> Entity.Reply
    {
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        if let timeout, timeout <= .zero { throw RegistryError.deadlineExceeded }
        let wait: Duration
        do {
            return try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<Entity.Reply, any Error>) in
                let reply = answer(continuation, deadline: deadline)
                do {
                    try submit(Envelope(message: message, reply: reply), to: key)
                } catch {
                    reply.resume(throwing: error)
                }
            }
        } catch let error as RegistryError where error == .mailboxFull {
            guard case .suspend(let suspend) = admission else { throw error }
            wait = deadline.map { min(suspend, clock.now.duration(to: $0)) } ?? suspend
        }
        return try await waitForRoom(key: key, timeout: wait) { id in
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Entity.Reply, any Error>) in
                let reply = self.answer(continuation, deadline: deadline)
                self.submitOrWait(Envelope(message: message, reply: reply), to: key, id: id, producer: nil) {
                    reply.resume(throwing: $0)
                }
            }
        }
    }

    /// The asker's answer, expired by the deadline loop at `deadline` if the entity has not answered by then.
    private func answer(
        _ continuation: CheckedContinuation<Entity.Reply, any Error>, deadline: C.Instant?
    ) -> OneShotReply<Entity.Reply> {
        let reply = OneShotReply(continuation)
        if let deadline { deadlines.add(reply, deadline: deadline) }
        return reply
    }

    private func submit(_ envelope: Envelope, to key: Key) throws(RegistryError) {
        let (action, wakeup) = state.withLock { state -> (Machine.SendAction, Wakeup?) in
            let action = state.machine.send(envelope, to: key)
            guard case .start(let evicted) = action else { return (action, nil) }
            metrics.live.set(state.machine.count)
            return (action, Self.spawn(key, evicting: evicted, in: &state))
        }
        wakeup?.resume()
        if case .rejected(let error) = action { throw error }
    }

    private func submitOrWait(
        _ envelope: Envelope, to key: Key, id: UInt64, producer: Producer?, reject: (RegistryError) -> Void
    ) {
        let (action, wakeup, expired) = state.withLock { state -> (Machine.SendAction, Wakeup?, (any Error)?) in
            state.unregistered.remove(id)
            if let error = state.expiredEarly.removeValue(forKey: id) { return (.waiting, nil, error) }
            let action = state.machine.send(envelope, to: key, waiting: (id, producer))
            guard case .start(let evicted) = action else { return (action, nil, nil) }
            metrics.live.set(state.machine.count)
            return (action, Self.spawn(key, evicting: evicted, in: &state), nil)
        }
        wakeup?.resume()
        if let expired {
            producer?.resume(throwing: expired)
            envelope.reply?.resume(throwing: expired)
            return
        }
        switch action {
        case .enqueued, .start: producer?.resume()
        case .waiting: break
        case .rejected(let error): reject(error)
        }
    }

    /// Queues the consumer of `key` (and of the evicted key) for `run()` to start; returns `run()` to resume.
    private static func spawn(_ key: Key, evicting evicted: Key?, in state: inout State) -> Wakeup? {
        state.spawns.keys.append(key)
        if let evicted { state.spawns.keys.append(evicted) }
        return state.spawnWaiter.take()
    }

    /// Runs `body` (which parks a sender under a fresh id) with a deadline and cancellation that remove the
    /// sender if it is still waiting; once admitted, neither touches it.
    private func waitForRoom<R: Sendable>(
        key: Key, timeout: Duration, _ body: @escaping @Sendable (UInt64) async throws -> R
    ) async throws -> R {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            state.unregistered.insert(state.nextWaiterID)
            return state.nextWaiterID
        }
        return try await withThrowingTaskGroup(of: Void.self, returning: R.self) { group in
            group.addTask {
                try await self.clock.sleep(for: timeout)
                self.expire(id: id, key: key, error: RegistryError.timedOut)
            }
            defer { group.cancelAll() }
            return try await withTaskCancellationHandler {
                try await body(id)
            } onCancel: {
                self.expire(id: id, key: key, error: CancellationError())
            }
        }
    }

    private func expire(id: UInt64, key: Key, error: any Error) {
        let waiter = state.withLock { state -> Machine.Mailbox.Waiter? in
            if state.unregistered.remove(id) != nil {
                state.expiredEarly[id] = error
                return nil
            }
            return state.machine.removeWaiter(id: id, key: key)
        }
        if let waiter { Self.fail(waiter, with: error) }
    }
}

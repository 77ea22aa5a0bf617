extension RedisSubscriber {
    /// One sequence for the messages of every key in `keys` (all of one kind), returned once each is confirmed.
    func subscribe(_ keys: [Key]) async throws -> RedisSubscription {
        let keys = Array(Set(keys))
        let (stream, continuation) = AsyncStream.makeStream(
            of: RedisMessage.self, bufferingPolicy: .bufferingNewest(max(1, configuration.subscriptionBufferSize)))
        let registration = try state.withLock {
            state throws(RedisError) -> (id: Int, connection: RedisConnection?, first: [Key]) in
            guard !state.isShutdown else { throw RedisError.shutdown }
            state.nextID += 1
            let id = state.nextID
            state.entries[id] = Entry(keys: keys, continuation: continuation)
            let first = keys.filter { state.members[$0, default: []].isEmpty }
            for key in keys { state.members[key, default: []].insert(id) }
            return (id, state.connection, first)
        }
        continuation.onTermination = { [weak self] _ in self?.remove(registration.id) }
        if let command = registration.first.first?.subscribeCommand, let connection = registration.connection {
            let names = registration.first.map(\.name)
            connection.loop.execute {
                connection.assumeIsolated { try? $0.writeSubscription(command, names: names) }
            }
        }
        do {
            for key in keys { try await waitForConfirmation(key, id: registration.id) }
        } catch {
            continuation.finish()
            throw error
        }
        return RedisSubscription(stream: stream)
    }

    private func waitForConfirmation(_ key: Key, id: Int) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: ConfirmationWaiter) in
                let outcome = state.withLock { state -> Result<Bool, RedisError> in
                    if state.isShutdown { return .failure(.shutdown) }
                    if state.confirmed.contains(key) { return .success(true) }
                    state.waiters[key, default: []].append((id, waiter))
                    return .success(false)
                }
                switch outcome {
                case .success(true): waiter.resume()
                case .success(false): break
                case .failure(let error): waiter.resume(throwing: error)
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> ConfirmationWaiter? in
                guard let index = state.waiters[key]?.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters[key]?.remove(at: index).waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// A subscription's sequence ended (dropped, cancelled, or finished): forget it, and unsubscribe from each of
    /// its channels or patterns it was the last one for.
    func remove(_ id: Int) {
        let unsubscribe = state.withLock { state -> ([Key], RedisConnection)? in
            guard let entry = state.entries.removeValue(forKey: id) else { return nil }
            var last: [Key] = []
            for key in entry.keys {
                state.members[key]?.remove(id)
                guard state.members[key]?.isEmpty ?? true else { continue }
                state.members[key] = nil
                state.confirmed.remove(key)
                last.append(key)
            }
            guard !last.isEmpty, let connection = state.connection, !state.isShutdown else { return nil }
            return (last, connection)
        }
        guard let (keys, connection) = unsubscribe, let command = keys.first?.unsubscribeCommand else { return }
        let names = keys.map(\.name)
        connection.loop.execute {
            connection.assumeIsolated { try? $0.writeSubscription(command, names: names) }
        }
    }

    /// Every pub/sub reply of the connection, on the loop thread.
    func handlePush(_ value: RESPValue) {
        guard case .array(let items) = value, items.count >= 3, let type = items[0].string?.lowercased() else { return }
        switch type {
        case "message":
            guard let channel = items[1].bytes, let payload = items[2].bytes else { return }
            deliver(Key(kind: .channel, name: channel), RedisMessage(channel: Self.text(channel), payload: payload))
        case "pmessage":
            guard items.count >= 4, let pattern = items[1].bytes, let channel = items[2].bytes,
                let payload = items[3].bytes
            else { return }
            let message = RedisMessage(channel: Self.text(channel), pattern: Self.text(pattern), payload: payload)
            deliver(Key(kind: .pattern, name: pattern), message)
        case "subscribe", "psubscribe":
            guard let name = items[1].bytes else { return }
            let key = Key(kind: type == "subscribe" ? .channel : .pattern, name: name)
            let waiters = state.withLock { state -> [ConfirmationWaiter] in
                guard state.members[key] != nil else { return [] }
                state.confirmed.insert(key)
                return state.waiters.removeValue(forKey: key)?.map(\.waiter) ?? []
            }
            for waiter in waiters { waiter.resume() }
        default:
            break
        }
    }

    private func deliver(_ key: Key, _ message: RedisMessage) {
        let continuations = state.withLock { state in
            (state.members[key] ?? []).compactMap { state.entries[$0]?.continuation }
        }
        for continuation in continuations { continuation.yield(message) }
    }

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

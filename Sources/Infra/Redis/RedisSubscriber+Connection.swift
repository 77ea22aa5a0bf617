extension RedisSubscriber {
    /// Connect, subscribe to everything registered, wait for the connection to close, back off, repeat.
    func maintainConnection() async {
        var failures = 0
        while !Task.isCancelled {
            let connection: RedisConnection
            do {
                connection = try await RedisConnection.connect(
                    configuration: configuration, loop: loop, pushHandler: { [weak self] in self?.handlePush($0) })
            } catch {
                if failures == 0 { logger.warning("Redis subscriber connect failed", metadata: ["error": "\(error)"]) }
                failures += 1
                let delay = RedisBackoff.delay(
                    attempt: failures, initial: configuration.initialReconnectDelay,
                    maximum: configuration.maximumReconnectDelay)
                try? await Task.sleep(for: delay)
                continue
            }
            failures = 0
            let keys = state.withLock { state -> [Key]? in
                guard !state.isShutdown else { return nil }
                state.connection = connection
                state.confirmed.removeAll()
                return Array(state.members.keys)
            }
            guard let keys else {
                await connection.drainAndClose()
                return
            }
            do {
                try await connection.writeSubscription(
                    "SUBSCRIBE", names: [sentinel] + keys.filter { $0.kind == .channel }.map(\.name))
                try await connection.writeSubscription(
                    "PSUBSCRIBE", names: keys.filter { $0.kind == .pattern }.map(\.name))
            } catch {
                await connection.close()
            }
            let reason = await withTaskCancellationHandler {
                await connection.closed()
            } onCancel: {
                connection.closeSoon()
            }
            state.withLock { state in
                state.connection = nil
                state.confirmed.removeAll()
            }
            if !Task.isCancelled {
                logger.info("Redis subscriber connection closed", metadata: ["reason": "\(reason)"])
            }
        }
    }

    /// Ends every subscription sequence and fails pending `subscribe` calls.
    func shutdown() {
        let (entries, waiters, connection) = state.withLock { state in
            state.isShutdown = true
            let entries = Array(state.entries.values)
            let waiters = state.waiters.values.flatMap { $0.map(\.waiter) }
            state.entries.removeAll()
            state.members.removeAll()
            state.waiters.removeAll()
            return (entries, waiters, state.connection)
        }
        for waiter in waiters { waiter.resume(throwing: RedisError.shutdown) }
        for entry in entries { entry.continuation.finish() }
        connection?.closeSoon()
    }
}

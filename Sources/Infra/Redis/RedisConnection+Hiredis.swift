import CHiredis

/// The hiredis glue: the event-library adapter, command writes, reply dispatch, deadlines and teardown.
/// Everything here runs on the loop thread, inside the actor.
extension RedisConnection {
    private enum Hook { case addRead, delRead, addWrite, delWrite }

    // MARK: Connecting

    func open() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            connectContinuation = continuation
            startConnecting()
        }
        var handshake: [[RedisArgument]] = []
        if let password = configuration.password {
            if let username = configuration.username {
                handshake.append(["AUTH", RedisArgument(username), RedisArgument(password)])
            } else {
                handshake.append(["AUTH", RedisArgument(password)])
            }
        }
        if configuration.database != 0 { handshake.append(["SELECT", RedisArgument(configuration.database)]) }
        handshake.append(["PING"])
        let replies = try await pipeline(handshake, timeout: configuration.connectTimeout)
        for reply in replies {
            if case .error(let message) = reply {
                close(reason: RedisError.server(message))
                throw RedisError.server(message)
            }
        }
    }

    private func startConnecting() {
        state = .connecting
        guard let context = redisAsyncConnect(address, Int32(clamping: configuration.port)) else {
            finishConnecting(RedisError.connection("hiredis could not allocate a context"))
            state = .closed(RedisError.connection("hiredis could not allocate a context"))
            return
        }
        if context.pointee.err != 0 {
            let reason = RedisError.connection(
                "connect to \(endpoint) failed: \(Self.errorText(UnsafePointer(context)))")
            redisAsyncFree(context)
            state = .closed(reason)
            finishConnecting(reason)
            return
        }
        self.context = context
        let me = Unmanaged.passUnretained(self).toOpaque()
        context.pointee.data = me
        context.pointee.ev.data = me
        context.pointee.ev.addRead = { RedisConnection.hook($0, .addRead) }
        context.pointee.ev.delRead = { RedisConnection.hook($0, .delRead) }
        context.pointee.ev.addWrite = { RedisConnection.hook($0, .addWrite) }
        context.pointee.ev.delWrite = { RedisConnection.hook($0, .delWrite) }
        context.pointee.ev.cleanup = { data in
            guard let connection = RedisConnection.from(data) else { return }
            connection.assumeIsolated { $0.contextFreed() }
        }
        // Setting the connect callback asks for the first write event (hiredis' way to learn connect(2) is done).
        redisAsyncSetConnectCallback(context) { context, status in
            guard let context, let connection = RedisConnection.from(context.pointee.data) else { return }
            let failure = status == REDIS_OK ? nil : RedisConnection.errorText(UnsafePointer(context))
            connection.assumeIsolated { $0.connected(failure: failure) }
        }
        connectTimer = loop.schedule(after: configuration.connectTimeout) { [self] in
            self.assumeIsolated { connection in
                connection.connectTimer = nil
                if case .connecting = connection.state {
                    connection.close(reason: RedisError.timeout("connect to \(connection.endpoint) timed out"))
                }
            }
        }
    }

    private func connected(failure: String?) {
        if let connectTimer { loop.cancel(connectTimer) }
        connectTimer = nil
        if let failure {
            // hiredis frees the context right after this callback; `contextFreed` reports the reason.
            closeReason = RedisError.connection("connect to \(endpoint) failed: \(failure)")
            return
        }
        state = .open
        finishConnecting(nil)
    }

    private func finishConnecting(_ error: RedisError?) {
        guard let continuation = connectContinuation else { return }
        connectContinuation = nil
        if let error { continuation.resume(throwing: error) } else { continuation.resume() }
    }

    var endpoint: String { "\(configuration.host):\(configuration.port)" }

    // MARK: Writing commands

    /// Writes the command at `index` of `batch`; its reply goes to `sink`, unless `timeout` passes first.
    func write(_ batch: RedisCommandBatch, command index: Int, sink: Sink, timeout: Duration) throws {
        let id = nextID
        nextID &+= 1
        if nextID < 2 { nextID = 2 }
        try writeFormatted(batch, command: index, tag: id)
        let deadline = IOEventLoop.nowNanoseconds() &+ Self.nanoseconds(timeout)
        pending.append(Pending(id: id, deadline: deadline, sink: sink))
        armWatchdog()
    }

    /// Hands the command at `index` of `batch` to hiredis, NUL-terminated as it expects
    /// (``RedisCommandBatch/withTerminatedCommand(_:_:)``); hiredis copies it into its output buffer, and its reply
    /// comes back to ``received(_:tag:failure:)`` with `tag`.
    func writeFormatted(_ batch: RedisCommandBatch, command index: Int, tag: UInt) throws {
        guard case .open = state, !closeWhenIdle, let context else {
            if case .closed(let reason) = state { throw reason }
            throw RedisError.connection("connection to \(endpoint) is not open")
        }
        let status = batch.withTerminatedCommand(index) { command -> Int32 in
            guard let base = command.baseAddress else { return REDIS_ERR }
            return redisAsyncFormattedCommand(
                context,
                { context, reply, privdata in
                    guard let context, let connection = RedisConnection.from(context.pointee.data) else { return }
                    let tag = UInt(bitPattern: privdata)
                    let value = reply.map { RESPValue(copying: $0.assumingMemoryBound(to: redisReply.self)) }
                    let failure =
                        value == nil && context.pointee.err != 0
                        ? RedisConnection.errorText(UnsafePointer(context)) : nil
                    connection.assumeIsolated(with: (value, tag, failure)) {
                        $0.received($1.0, tag: $1.1, failure: $1.2)
                    }
                },
                UnsafeMutableRawPointer(bitPattern: tag),
                base, command.count)
        }
        guard status == REDIS_OK else {
            throw RedisError.connection("hiredis refused the command (connection to \(endpoint) is closing)")
        }
    }

    // MARK: Replies

    private func received(_ value: RESPValue?, tag: UInt, failure: String?) {
        if tag == Self.pushTag {
            if let value { pushHandler?(value) }
            return
        }
        guard let first = pending.first, first.id == tag else {
            // Cannot happen with ordered replies; if it does, nothing on this connection can be trusted.
            close(reason: RedisError.connection("reply out of order on \(endpoint)"))
            return
        }
        pending.removeFirst()
        defer {
            if closeWhenIdle, pending.isEmpty { close() }
        }
        guard let value else {
            let reason = closeReason ?? RedisError.connection("connection to \(endpoint) lost: \(failure ?? "closed")")
            fail(first.sink, reason)
            return
        }
        switch first.sink {
        case .single(let continuation):
            continuation.resume(returning: value)
        case .batch(let batch, let index):
            batch.values[index] = value
            if index == batch.values.count - 1, let continuation = batch.continuation {
                batch.continuation = nil
                continuation.resume(returning: batch.values)
            }
        }
    }

    private func fail(_ sink: Sink, _ error: RedisError) {
        switch sink {
        case .single(let continuation):
            continuation.resume(throwing: error)
        case .batch(let batch, _):
            if let continuation = batch.continuation {
                batch.continuation = nil
                continuation.resume(throwing: error)
            }
        }
    }

    // MARK: Deadlines

    /// One timer per connection, aimed at the oldest pending command's deadline (commands share a timeout, so the
    /// oldest expires first); moved earlier when a command with an earlier deadline becomes the oldest.
    private func armWatchdog() {
        guard let first = pending.first else { return }
        if let watchdog {
            if watchdogDeadline <= first.deadline { return }
            loop.cancel(watchdog)
        }
        watchdogDeadline = first.deadline
        let now = IOEventLoop.nowNanoseconds()
        let delay = first.deadline > now ? Duration.nanoseconds(Int64(first.deadline - now)) : .zero
        watchdog = loop.schedule(after: delay) { [self] in
            self.assumeIsolated { $0.watchdogFired() }
        }
    }

    private func watchdogFired() {
        watchdog = nil
        guard let first = pending.first else { return }
        if first.deadline <= IOEventLoop.nowNanoseconds() {
            close(reason: RedisError.timeout("command timed out on \(endpoint); connection dropped"))
        } else {
            armWatchdog()
        }
    }

    // MARK: Teardown

    func close(reason: RedisError) {
        if closeReason == nil { closeReason = reason }
        guard let context else {
            if case .closed = state { return }
            state = .closed(reason)
            finishConnecting(reason)
            return
        }
        // Runs pending callbacks with NULL (they fail with `closeReason`), then the cleanup hook. Inside a reply
        // callback hiredis defers the free until the callback returns.
        redisAsyncFree(context)
    }

    /// hiredis' cleanup hook: the context is being freed and will not call back again.
    private func contextFreed() {
        let reason =
            closeReason
            ?? RedisError.connection(
                "connection to \(endpoint) lost: \(context.map { Self.errorText(UnsafePointer($0)) } ?? "closed")")
        context = nil
        if let watchID { loop.unwatch(watchID) }
        watchID = nil
        if let watchdog { loop.cancel(watchdog) }
        watchdog = nil
        if let connectTimer { loop.cancel(connectTimer) }
        connectTimer = nil
        state = .closed(reason)
        while let entry = pending.popFirst() { fail(entry.sink, reason) }
        finishConnecting(reason)
        let waiters = closeWaiters
        closeWaiters = []
        for waiter in waiters { waiter.resume(returning: reason) }
    }

    // MARK: Event-library adapter

    private func changeInterest(_ hook: Hook) {
        guard let context else { return }
        var interest = watchID.flatMap { loop.interest(of: $0) } ?? []
        switch hook {
        case .addRead: interest.insert(.readable)
        case .delRead: interest.remove(.readable)
        case .addWrite: interest.insert(.writable)
        case .delWrite: interest.remove(.writable)
        }
        if let watchID {
            loop.update(watchID, interest: interest)
            return
        }
        do {
            // The watcher's handler keeps this actor alive until `contextFreed` removes it.
            watchID = try loop.watch(fd: context.pointee.c.fd, interest: interest) { [self] readiness in
                self.assumeIsolated(with: readiness) { $0.ready($1) }
            }
        } catch {
            closeReason = RedisError.connection("cannot watch the Redis socket: \(error)")
            // Not inside a hiredis callback here only when called from a command write; free on the next turn.
            loop.execute { [self] in self.assumeIsolated { $0.close(reason: $0.closeReason ?? .shutdown) } }
        }
    }

    private func ready(_ readiness: IOEventLoop.Readiness) {
        guard let context, let watchID, let interest = loop.interest(of: watchID) else { return }
        let connected = context.pointee.c.flags & REDIS_CONNECTED != 0
        if readiness.contains(.readable) || readiness.contains(.hangup) {
            // A hang-up is reported even without interest; reading (or finishing connect) surfaces it.
            if connected { redisAsyncHandleRead(context) } else { redisAsyncHandleWrite(context) }
        }
        guard let context = self.context else { return }
        if readiness.contains(.writable), interest.contains(.writable) { redisAsyncHandleWrite(context) }
    }

    private static func hook(_ data: UnsafeMutableRawPointer?, _ hook: Hook) {
        guard let connection = from(data) else { return }
        connection.assumeIsolated(with: hook) { $0.changeInterest($1) }
    }

    private static func from(_ data: UnsafeMutableRawPointer?) -> RedisConnection? {
        guard let data else { return nil }
        return Unmanaged<RedisConnection>.fromOpaque(data).takeUnretainedValue()
    }

    private static func errorText(_ context: UnsafePointer<redisAsyncContext>) -> String {
        guard let text = context.pointee.errstr else { return "error \(context.pointee.err)" }
        return String(cString: text)
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }
}

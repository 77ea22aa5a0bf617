/// Running statements on one connection.
extension PGConnection {
    /// Runs one parameterized statement and returns its rows.
    @discardableResult
    public func query(_ query: PGQuery) async throws -> PGRows {
        try Self.checkParameterCount(query)
        return try await submit(.single(query))[0].get()
    }

    /// Runs one parameterized statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: PGQuery) async throws -> Int {
        try await self.query(query).rowsAffected
    }

    /// Sends independent statements in one round trip (libpq pipeline mode, one sync at the end) and returns
    /// each statement's outcome in order. Outside an explicit transaction the whole pipeline runs as one implicit
    /// transaction (PostgreSQL's rule for statements before a sync): if one statement fails, the ones before it
    /// roll back and the ones after it are skipped (`.pipelineAborted`). Throws only for connection-level failures.
    public func pipelineResults(_ queries: [PGQuery]) async throws -> [Result<PGRows, PGError>] {
        guard !queries.isEmpty else { return [] }
        for query in queries { try Self.checkParameterCount(query) }
        return try await submit(.pipeline(queries))
    }

    /// Like ``pipelineResults(_:)`` but throws the first statement error.
    @discardableResult
    public func pipeline(_ queries: [PGQuery]) async throws -> [PGRows] {
        try await pipelineResults(queries).map { try $0.get() }
    }

    /// Runs a script of one or more statements without parameters (simple query protocol), e.g. a migration.
    /// Returns the last statement's rows; the first error stops the script and is thrown.
    @discardableResult
    public func simpleQuery(_ sql: String) async throws -> PGRows {
        try await submit(.simple(sql))[0].get()
    }

    /// Subscribes this session to `channel` (`LISTEN "channel"`).
    public func listen(_ channel: String) async throws {
        try await simpleQuery("LISTEN " + PGQuery.quoteIdentifier(channel))
    }

    /// Waits for the next notification on a channel this connection listens to. One waiter at a time.
    /// Throws the connection's error if it breaks, or `CancellationError` if the task is cancelled.
    public func nextNotification() async throws -> PGNotification {
        if let notification = notifications.popFirst() { return notification }
        if case .closed(let error) = phase { throw error }
        guard notificationWaiter == nil else {
            throw PGError(.invalidQuery, "another task is already waiting for notifications")
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    notificationWaiter = continuation
                }
            }
        } onCancel: {
            loop.execute { [weak self] in
                self?.assumeIsolated { connection in
                    connection.notificationWaiter?.resume(throwing: CancellationError())
                    connection.notificationWaiter = nil
                }
            }
        }
    }

    /// Closes the connection; statements still queued fail with `.connectionClosed`.
    public func close() {
        switch phase {
        case .open: failConnection(PGError(.connectionClosed, "the connection was closed by the client"))
        case .connecting: failConnect(PGError(.connectionClosed, "the connection was closed by the client"))
        case .closed: break
        }
    }

    private func submit(_ work: Work) async throws -> [Result<PGRows, PGError>] {
        if case .closed(let error) = phase { throw error }
        return try await withCheckedThrowingContinuation { continuation in
            requests.append(Request(work: work, continuation: continuation))
            startNext()
        }
    }

    private static func checkParameterCount(_ query: PGQuery) throws(PGError) {
        guard query.binds.count <= PGQuery.maximumParameterCount else {
            throw PGError(
                .invalidQuery,
                "\(query.binds.count) parameters exceed the protocol limit of \(PGQuery.maximumParameterCount)")
        }
    }
}

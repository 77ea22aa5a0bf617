import CLibPQ

/// The event-loop side: connecting with `PQconnectPoll`, flushing, reading results and notifications.
/// Everything here runs on the loop thread (actor-isolated, or inside `assumeIsolated` from a handler).
extension PGConnection {
    func runConnect(timeout: Duration) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            connectContinuation = continuation
            connectTimer = loop.schedule(after: timeout) { [weak self] in
                self?.assumeIsolated { connection in
                    connection.failConnect(PGError(.connectTimeout, "connecting took longer than \(timeout)"))
                }
            }
            // libpq: before the first PQconnectPoll, behave as if it had returned PGRES_POLLING_WRITING.
            // libpq prints notices (and the FATAL of a terminated backend) to stderr by default; drop them.
            PQsetNoticeProcessor(pq, { _, _ in }, nil)
            rewatch(.writable)
        }
    }

    /// Re-registers the socket: during connection set-up libpq may switch sockets (another host or address).
    private func rewatch(_ interest: IOEventLoop.Interest) {
        if let watchID {
            loop.unwatch(watchID)
            self.watchID = nil
        }
        let fd = PQsocket(pq)
        guard fd >= 0 else {
            failConnect(PGError(.connectionFailed, Self.errorMessage(pq)))
            return
        }
        do {
            watchID = try loop.watch(fd: fd, interest: interest) { [weak self] readiness in
                self?.assumeIsolated(with: readiness) { $0.handle($1) }
            }
        } catch {
            failConnect(PGError(.connectionFailed, "cannot watch the socket: \(error)"))
        }
    }

    private func handle(_ readiness: IOEventLoop.Readiness) {
        switch phase {
        case .connecting: connectStep()
        case .open: ioStep(readiness)
        case .closed: break
        }
    }

    private func connectStep() {
        guard let pq else { return }
        switch PQconnectPoll(pq) {
        case PGRES_POLLING_OK:
            if let connectTimer { loop.cancel(connectTimer) }
            connectTimer = nil
            PQsetnonblocking(pq, 1)
            backendPID = PQbackendPID(pq)
            phase = .open
            rewatch(.readable)
            connectContinuation?.resume()
            connectContinuation = nil
        case PGRES_POLLING_FAILED:
            failConnect(PGError(.connectionFailed, Self.errorMessage(pq)))
        case PGRES_POLLING_WRITING:
            rewatch(.writable)
        default:
            rewatch(.readable)
        }
    }

    func failConnect(_ error: PGError) {
        guard case .connecting = phase else { return }
        if let connectTimer { loop.cancel(connectTimer) }
        connectTimer = nil
        teardown(error)
        connectContinuation?.resume(throwing: error)
        connectContinuation = nil
    }

    // MARK: Open connection

    private func ioStep(_ readiness: IOEventLoop.Readiness) {
        guard let pq else { return }
        if !readiness.isDisjoint(with: [.readable, .hangup]) {
            if PQconsumeInput(pq) == 0 || PQstatus(pq) == CONNECTION_BAD {
                failConnection(PGError(.connectionClosed, Self.errorMessage(pq)))
                return
            }
            deliverNotifications()
        }
        if needsFlush { flush() }
        collectResults()
    }

    func flush() {
        guard let pq, let watchID else { return }
        switch PQflush(pq) {
        case 0:
            needsFlush = false
            loop.update(watchID, interest: .readable)
        case 1:
            needsFlush = true
            loop.update(watchID, interest: [.readable, .writable])
        default:
            failConnection(PGError(.connectionClosed, Self.errorMessage(pq)))
        }
    }

    /// Starts the next queued request when none is in flight.
    func startNext() {
        while inFlight == nil, let request = requests.popFirst() {
            guard let pq, case .open = phase else {
                request.continuation.resume(throwing: closedError)
                continue
            }
            var flight = InFlight(request: request)
            let sent: Bool
            switch request.work {
            case .single(let query):
                let key = PreparedStatements.Key(sql: query.sql, types: query.binds.types)
                switch prepared.plan(for: key) {
                case .run(let name):
                    flight.preparedKey = key
                    sent = send(query, as: name, on: pq)
                case .prepare(let name):
                    flight.preparing = (key, name, query)
                    sent = query.binds.withCArrays { types, _, _, _ in
                        PQsendPrepare(pq, name, query.sql, Int32(query.binds.count), types) == 1
                    }
                case .unnamed:
                    sent = send(query, on: pq)
                }
            case .simple(let sql):
                sent = PQsendQuery(pq, sql) == 1
            case .pipeline(let queries):
                var slots: [(key: PreparedStatements.Key?, prepared: Bool)] = []
                if PQenterPipelineMode(pq) == 1 {
                    sent = sendPipeline(queries, slots: &slots, on: pq)
                } else {
                    sent = false
                }
                flight.pipelineSlots = slots
            }
            inFlight = flight
            startRequestTimer()
            guard sent else {
                // Parameter counts are checked before queueing, so a send failure means the connection is unusable.
                failConnection(PGError(.connectionClosed, Self.errorMessage(pq)))
                return
            }
            flush()
        }
    }

    /// Arms the deadline of the request just sent: when it fires first, the request fails with `.requestTimeout`
    /// and the connection closes (its state is unknown: the statement may still run, results may still come).
    private func startRequestTimer() {
        requestSequence &+= 1
        guard let timeout = requestTimeout else { return }
        let sequence = requestSequence
        requestTimer = loop.schedule(after: timeout) { [weak self] in
            self?.assumeIsolated { connection in
                guard connection.requestSequence == sequence, let flight = connection.inFlight else { return }
                connection.requestTimer = nil
                connection.inFlight = nil
                flight.pending.forEach { PQclear($0) }
                flight.request.continuation.resume(
                    throwing: PGError(
                        .requestTimeout,
                        "no answer from PostgreSQL within \(timeout); the connection was closed"))
                connection.failConnection(
                    PGError(.connectionClosed, "closed after a request missed its deadline of \(timeout)"))
            }
        }
    }

    private func cancelRequestTimer() {
        if let requestTimer { loop.cancel(requestTimer) }
        requestTimer = nil
    }

    /// Sends a pipeline's statements and its sync. A statement is prepared the way a single one is
    /// (``PreparedStatements``): its prepare goes into the pipeline just before it, so a pipeline that runs often
    /// is parsed and planned once per session.
    private func sendPipeline(
        _ queries: [PGQuery], slots: inout [(key: PreparedStatements.Key?, prepared: Bool)],
        on pq: OpaquePointer
    ) -> Bool {
        for query in queries {
            let key = PreparedStatements.Key(sql: query.sql, types: query.binds.types)
            let ok: Bool
            switch prepared.plan(for: key) {
            case .run(let name):
                slots.append((key, false))
                ok = send(query, as: name, on: pq)
            case .prepare(let name):
                // Recorded now, so the same text later in this pipeline runs by name; forgotten if it fails.
                prepared.didPrepare(key, as: name)
                slots.append((key, true))
                ok =
                    query.binds.withCArrays { types, _, _, _ in
                        PQsendPrepare(pq, name, query.sql, Int32(query.binds.count), types) == 1
                    } && send(query, as: name, on: pq)
            case .unnamed:
                slots.append((nil, false))
                ok = send(query, on: pq)
            }
            guard ok else { return false }
        }
        return PQpipelineSync(pq) == 1
    }

    /// A pipeline's results as its caller sent them: the results of the prepares sent before some statements are
    /// taken out (a failed one is forgotten, and is its statement's outcome), and a statement the server no longer
    /// knows by name (`DEALLOCATE ALL`) is forgotten so it is prepared again.
    private func pipelineResults(_ flight: InFlight) -> [Result<PGRows, PGError>] {
        guard !flight.pipelineSlots.isEmpty else { return flight.results }
        var results: [Result<PGRows, PGError>] = []
        var index = 0
        for slot in flight.pipelineSlots {
            if slot.prepared, index < flight.results.count {
                let preparing = flight.results[index]
                index += 1
                if case .failure = preparing {
                    if let key = slot.key { prepared.forget(key) }
                    // The statement itself was skipped: its outcome is why its prepare failed.
                    results.append(preparing)
                    index += 1
                    continue
                }
            }
            guard index < flight.results.count else { break }
            if slot.key != nil, case .failure(let error) = flight.results[index], error.sqlState == "26000" {
                prepared.forgetAll()
            }
            results.append(flight.results[index])
            index += 1
        }
        return results
    }

    private func send(_ query: PGQuery, on pq: OpaquePointer) -> Bool {
        query.binds.withCArrays { types, values, lengths, formats in
            PQsendQueryParams(pq, query.sql, Int32(query.binds.count), types, values, lengths, formats, 0) == 1
        }
    }

    private func send(_ query: PGQuery, as name: String, on pq: OpaquePointer) -> Bool {
        // `withCString` spells a short name (`sufra_12`, stored inline) on the stack; passing the `String` itself
        // would copy it to the heap for every statement of every batch.
        name.withCString { name in
            query.binds.withCArrays { _, values, lengths, formats in
                PQsendQueryPrepared(pq, name, Int32(query.binds.count), values, lengths, formats, 0) == 1
            }
        }
    }

    /// The prepare of `flight`'s statement has answered: on success the statement now runs under its name (the
    /// request goes on, stored as in flight; true), on failure the failure is the statement's outcome (false).
    private func finishPreparing(_ flight: inout InFlight, on pq: OpaquePointer) -> Bool {
        guard let preparing = flight.preparing else { return false }
        flight.preparing = nil
        let outcome = Self.combine(flight.pending)
        flight.pending = []
        if case .failure = outcome {
            flight.results.append(outcome)
            return false
        }
        prepared.didPrepare(preparing.key, as: preparing.name)
        flight.preparedKey = preparing.key
        inFlight = flight
        guard send(preparing.query, as: preparing.name, on: pq) else {
            failConnection(PGError(.connectionClosed, Self.errorMessage(pq)))
            return true
        }
        flush()
        return true
    }

    private func collectResults() {
        guard let pq else { return }
        while var flight = inFlight {
            if PQisBusy(pq) != 0 { return }
            guard let result = PQgetResult(pq) else {
                // The end of one statement's results (or of the prepare before it).
                if flight.preparing != nil {
                    if !finishPreparing(&flight, on: pq) {
                        inFlight = flight
                        complete()
                    }
                    continue
                }
                let outcome = Self.combine(flight.pending)
                if flight.preparedKey != nil, case .failure(let error) = outcome, error.sqlState == "26000" {
                    prepared.forgetAll()  // invalid_sql_statement_name: the session lost them (DEALLOCATE ALL)
                }
                flight.results.append(outcome)
                flight.pending = []
                inFlight = flight
                if !flight.pipelined { complete() }
                continue
            }
            switch PQresultStatus(result) {
            case PGRES_PIPELINE_SYNC:
                PQclear(result)
                complete()
            case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                PQclear(result)
                failConnection(PGError(.unsupported, "COPY is not supported by this client"))
                return
            default:
                flight.pending.append(result)
                inFlight = flight
            }
        }
    }

    private func complete() {
        guard let pq, let flight = inFlight else { return }
        inFlight = nil
        cancelRequestTimer()
        if flight.pipelined && PQexitPipelineMode(pq) != 1 {
            // Results left over after the sync would desynchronize every later request: drop the connection.
            inFlight = flight
            failConnection(PGError(.connectionClosed, "could not leave pipeline mode: \(Self.errorMessage(pq))"))
            return
        }
        inTransactionFlag.store(PQtransactionStatus(pq) != PQTRANS_IDLE, ordering: .releasing)
        if PQstatus(pq) == CONNECTION_BAD {
            inFlight = flight
            failConnection(PGError(.connectionClosed, Self.errorMessage(pq)))
            return
        }
        flight.request.continuation.resume(returning: flight.pipelined ? pipelineResults(flight) : flight.results)
        startNext()
    }

    /// One statement's outcome: its first error, else its last result.
    static func combine(_ results: [OpaquePointer]) -> Result<PGRows, PGError> {
        var outcome: Result<PGRows, PGError>?
        for result in results {
            let status = PQresultStatus(result)
            switch status {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
                let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
                let rows = PGRows(handle: PGResultHandle(result), commandTag: tag)
                if case .failure = outcome {} else { outcome = .success(rows) }
            case PGRES_PIPELINE_ABORTED:
                PQclear(result)
                if case .failure = outcome {
                } else {
                    outcome = .failure(
                        PGError(.pipelineAborted, "skipped: an earlier statement in the pipeline failed"))
                }
            default:
                let error = serverError(result)
                PQclear(result)
                if case .failure = outcome {} else { outcome = .failure(error) }
            }
        }
        return outcome ?? .success(PGRows(handle: nil, commandTag: ""))
    }

    private static func serverError(_ result: OpaquePointer) -> PGError {
        // libpq's PG_DIAG_* field codes are the protocol's field type bytes (postgres_ext.h macros).
        func field(_ code: UInt8) -> String? {
            PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
        }
        let message =
            field(UInt8(ascii: "M"))
            ?? PQresultErrorMessage(result).map { String(cString: $0) } ?? "unknown server error"
        return PGError(
            .server, message, sqlState: field(UInt8(ascii: "C")), detail: field(UInt8(ascii: "D")),
            hint: field(UInt8(ascii: "H")), constraint: field(UInt8(ascii: "n")),
            table: field(UInt8(ascii: "t")), column: field(UInt8(ascii: "c")))
    }

    private func deliverNotifications() {
        guard let pq else { return }
        while let notify = PQnotifies(pq) {
            let notification = PGNotification(
                channel: String(cString: notify.pointee.relname), payload: String(cString: notify.pointee.extra),
                backendPID: notify.pointee.be_pid)
            PQfreemem(notify)
            if let waiter = notificationWaiter {
                notificationWaiter = nil
                waiter.resume(returning: notification)
            } else {
                if notifications.count >= Self.notificationBufferLimit {
                    notifications.removeFirst()
                    droppedNotifications += 1
                }
                notifications.append(notification)
            }
        }
    }

    // MARK: Closing

    var closedError: PGError {
        if case .closed(let error) = phase { return error }
        return PGError(.connectionClosed, "the connection is closed")
    }

    /// Closes the socket and fails everything waiting; runs `onClose` if the connection had been open.
    func failConnection(_ error: PGError) {
        guard case .open = phase else { return }
        cancelRequestTimer()
        teardown(error)
        if let flight = inFlight {
            inFlight = nil
            flight.pending.forEach { PQclear($0) }
            flight.request.continuation.resume(throwing: error)
        }
        while let request = requests.popFirst() { request.continuation.resume(throwing: error) }
        if let waiter = notificationWaiter {
            notificationWaiter = nil
            waiter.resume(throwing: error)
        }
        onClose?()
    }

    private func teardown(_ error: PGError) {
        phase = .closed(error)
        closedFlag.store(true, ordering: .releasing)
        if let watchID { loop.unwatch(watchID) }
        watchID = nil
        if let pq { PQfinish(pq) }
        pq = nil
    }
}

import CCurl

/// An async HTTP client on libcurl's multi interface, driven by an ``IOEventLoop``.
///
/// The actor runs on the loop thread (`unownedExecutor` is the loop): `CURLMOPT_SOCKETFUNCTION` becomes loop
/// watchers, `CURLMOPT_TIMERFUNCTION` a loop timer, and readiness calls `curl_multi_socket_action`. The multi
/// handle keeps idle connections alive, so requests to the same host reuse them.
///
/// ```swift
/// let client = CurlClient()
/// let response = try await client.execute(CurlClientRequest(url: "http://127.0.0.1:8080/health"))
/// ```
public actor CurlClient {
    /// The loop this client's sockets and timers live on.
    public nonisolated let loop: IOEventLoop
    /// Timeouts and limits.
    public nonisolated let configuration: CurlClientConfiguration

    nonisolated public var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }

    // Safety of the five `nonisolated(unsafe)` below: they are read and written only by this actor's methods,
    // which all run on its executor (the loop thread), and once by `deinit`, which has exclusive access. The
    // annotation exists only so `deinit` may read them without being an `isolated deinit` (see there).
    nonisolated(unsafe) let multi: UnsafeMutableRawPointer?
    nonisolated(unsafe) var transfers: [UInt64: HTTPTransfer] = [:]
    var transferIDs: [UnsafeMutableRawPointer: UInt64] = [:]
    nonisolated(unsafe) var watchers: [Int32: IOEventLoop.WatchID] = [:]
    nonisolated(unsafe) var timer: IOEventLoop.TimerID?
    var nextID: UInt64 = 0
    var admission: TransferAdmission
    /// Easy handles of finished transfers, reset for the next ones.
    nonisolated(unsafe) var handles: EasyHandlePool
    /// Connections libcurl had to open (sum of `CURLINFO_NUM_CONNECTS` over finished transfers).
    public private(set) var connectionsOpened = 0
    /// Transfers in libcurl (connecting, sending or receiving) and not finished yet.
    public var transfersInFlight: Int { transfers.count - admission.waitingCount }
    /// Transfers waiting for a connection slot of their origin.
    public var transfersWaiting: Int { admission.waitingCount }
    /// Transfers finished, with or without success.
    public private(set) var transfersCompleted = 0
    /// Easy handles kept from finished transfers for the next ones (``EasyHandlePool``).
    public var idleHandles: Int { handles.idleCount }

    /// Creates a client on `loop` (the shared infrastructure loop by default).
    public init(configuration: CurlClientConfiguration = CurlClientConfiguration(), loop: IOEventLoop = .shared) {
        self.loop = loop
        self.configuration = configuration
        self.admission = TransferAdmission(limit: configuration.maxConnectionsPerHost)
        self.handles = EasyHandlePool(capacity: configuration.maxCachedConnections)
        self.multi = CurlGlobal.ensureInitialized() ? curl_multi_init() : nil
        guard let multi else { return }
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = sufra_curl_multi_setopt_ptr(multi, CURLMOPT_SOCKETDATA, context)
        _ = sufra_curl_multi_setopt_ptr(multi, CURLMOPT_TIMERDATA, context)
        _ = sufra_curl_multi_setopt_socket_function(multi, Self.socketCallback)
        _ = sufra_curl_multi_setopt_timer_function(multi, Self.timerCallback)
        _ = sufra_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        _ = sufra_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxCachedConnections)
    }

    // Not an `isolated deinit`: Swift 6.3's optimizer crashes on its actor-isolation request when Server is built
    // in release (a request cycle on `CurlClient.deinit`). The cleanup goes to the loop instead: watchers and
    // timers hold the client weakly and libcurl calls back only from inside `curl_multi_*` calls this actor makes,
    // so nothing can reach the client between here and the cleanup.
    deinit {
        guard let multi else { return }
        let cleanup = CurlMultiCleanup(
            multi: multi, transfers: Array(transfers.values), idleHandles: handles, watchers: Array(watchers.values),
            timer: timer)
        let loop = self.loop
        loop.execute { cleanup.run(on: loop) }
    }

    /// Sends `request` and returns the response (any status); throws ``CurlClientError`` when no response came:
    /// timeout, connection failure, oversized body, or cancellation of the calling task (the transfer is removed).
    public func execute(_ request: CurlClientRequest) async throws(CurlClientError) -> CurlClientResponse {
        if Task.isCancelled { throw .cancelled }
        nextID &+= 1
        let id = nextID
        let loop = self.loop
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                self.start(id: id, request: request, continuation: continuation)
            }
        } onCancel: {
            loop.execute { [self] in self.assumeIsolated { $0.cancel(id: id) } }
        }
        return try result.get()
    }

    // MARK: Transfers

    private func start(
        id: UInt64, request: CurlClientRequest,
        continuation: CheckedContinuation<Result<CurlClientResponse, CurlClientError>, Never>
    ) {
        guard multi != nil, let easy = handles.take() else {
            continuation.resume(returning: .failure(.transport(code: -1, message: "libcurl could not be initialised")))
            return
        }
        let transfer = HTTPTransfer(
            id: id, easy: easy, maxResponseSize: configuration.maxResponseSize, continuation: continuation)
        if let error = configure(transfer, request: request) {
            handles.giveBack(easy)
            continuation.resume(returning: .failure(error))
            return
        }
        let timeout = request.timeout ?? configuration.totalTimeout
        transfer.origin = TransferAdmission.origin(of: request.url)
        transfer.deadline = IOEventLoop.nowNanoseconds() &+ UInt64(Self.milliseconds(timeout)) &* 1_000_000
        transfers[id] = transfer
        transferIDs[easy] = id
        if admission.admit(id, origin: transfer.origin) {
            if !launch(transfer) { passSlot(of: transfer.origin) }
        } else {
            transfer.queueTimer = loop.schedule(after: timeout) { [weak self] in
                guard let self else { return }
                self.assumeIsolated(with: id) { client, id in client.expireWaiting(id: id) }
            }
        }
    }

    /// Hands a transfer holding a slot to libcurl with what is left of its time; false when it ended at once
    /// (deadline passed while it waited, or libcurl refused it): then the caller passes its slot on.
    private func launch(_ transfer: HTTPTransfer) -> Bool {
        guard let multi else { return false }
        if let timer = transfer.queueTimer {
            loop.cancel(timer)
            transfer.queueTimer = nil
        }
        let now = IOEventLoop.nowNanoseconds()
        guard transfer.deadline > now else {
            finish(id: transfer.id, result: .failure(CurlClientError.timedOut.requestSent(false)))
            return false
        }
        let remaining = Int((transfer.deadline - now + 999_999) / 1_000_000)
        _ = sufra_curl_setopt_long(transfer.easy, CURLOPT_TIMEOUT_MS, remaining)
        let code = curl_multi_add_handle(multi, transfer.easy)
        guard code == CURLM_OK else {
            finish(
                id: transfer.id,
                result: .failure(.transport(code: Int(code.rawValue), message: "curl_multi_add_handle")))
            return false
        }
        transfer.started = true
        return true
    }

    /// A transfer's deadline passed while it waited for a slot: nothing was sent.
    func expireWaiting(id: UInt64) {
        guard let transfer = transfers[id], !transfer.started else { return }
        finish(id: id, result: .failure(CurlClientError.timedOut.requestSent(false)))
    }

    private func configure(_ transfer: HTTPTransfer, request: CurlClientRequest) -> CurlClientError? {
        let easy = transfer.easy
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        guard sufra_curl_setopt_str(easy, CURLOPT_URL, request.url) == CURLE_OK else {
            return .invalidRequest("bad URL")
        }
        _ = sufra_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = sufra_curl_setopt_ptr(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer)
        _ = sufra_curl_setopt_str(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = sufra_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout))
        // CURLOPT_TIMEOUT_MS is set when the transfer starts: what is left after waiting for a slot.
        _ = sufra_curl_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseSize))
        _ = sufra_curl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        _ = sufra_curl_setopt_func(easy, CURLOPT_WRITEFUNCTION, Self.writeCallback)
        _ = sufra_curl_setopt_ptr(easy, CURLOPT_WRITEDATA, context)
        _ = sufra_curl_setopt_func(easy, CURLOPT_HEADERFUNCTION, Self.headerCallback)
        _ = sufra_curl_setopt_ptr(easy, CURLOPT_HEADERDATA, context)
        let method = request.method.uppercased()
        if !request.body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" {
            _ = sufra_curl_setopt_long(easy, CURLOPT_POSTFIELDSIZE_LARGE, request.body.count)
            // COPYPOSTFIELDS copies the bytes, so the request need not outlive this call.
            let copied = request.body.withUnsafeBytes { buffer in
                sufra_curl_setopt_ptr(
                    easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            }
            guard copied == CURLE_OK else { return .invalidRequest("body could not be copied") }
        }
        if method == "HEAD" {
            _ = sufra_curl_setopt_long(easy, CURLOPT_NOBODY, 1)
        } else if method != "GET" && method != "POST" {
            _ = sufra_curl_setopt_str(easy, CURLOPT_CUSTOMREQUEST, method)
        } else if method == "GET" && !request.body.isEmpty {
            _ = sufra_curl_setopt_str(easy, CURLOPT_CUSTOMREQUEST, "GET")
        }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        // No `Expect: 100-continue` round trip before larger bodies.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            // Bytes, not `String.contains(_:)`: Foundation's overload bridges every line to NSString.
            guard !line.utf8.contains(where: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }) else {
                if let list { curl_slist_free_all(list) }
                return .invalidRequest("header contains a line break")
            }
            guard let appended = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                return .transport(code: -1, message: "curl_slist_append")
            }
            list = appended
        }
        transfer.headerList = list
        _ = sufra_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
        return nil
    }

    /// Removes a cancelled transfer and resumes its caller with ``CurlClientError/cancelled``.
    func cancel(id: UInt64) {
        guard let transfer = transfers[id] else { return }
        finish(id: id, result: .failure(CurlClientError.cancelled.requestSent(Self.requestWritten(transfer))))
    }

    /// Whether libcurl wrote any byte of the request (`CURLINFO_REQUEST_SIZE` counts what was sent).
    private static func requestWritten(_ transfer: HTTPTransfer) -> Bool {
        var size = 0
        guard sufra_curl_getinfo_long(transfer.easy, CURLINFO_REQUEST_SIZE, &size) == CURLE_OK else { return true }
        return size > 0
    }

    /// Ends a transfer, started or waiting, and resumes its caller; a started one's slot goes to the next waiting.
    func finish(id: UInt64, result: Result<CurlClientResponse, CurlClientError>) {
        guard let transfer = transfers.removeValue(forKey: id) else { return }
        transferIDs[transfer.easy] = nil
        transfersCompleted += 1
        if transfer.started {
            var connects = 0
            _ = sufra_curl_getinfo_long(transfer.easy, CURLINFO_NUM_CONNECTS, &connects)
            connectionsOpened += connects
            if let multi { curl_multi_remove_handle(multi, transfer.easy) }
        } else {
            if let timer = transfer.queueTimer { loop.cancel(timer) }
            _ = admission.withdraw(id, origin: transfer.origin)
        }
        // The response is already read out of the handle (status, sizes), so it can be reset for the next one.
        handles.giveBack(transfer.easy)
        transfer.continuation.resume(returning: result)
        if transfer.started { passSlot(of: transfer.origin) }
    }

    /// Gives a freed slot of `origin` to the longest-waiting transfer (and the next, if that one ends at once).
    private func passSlot(of origin: String) {
        while let next = admission.release(origin) {
            // A transfer that ends at once (``launch(_:)`` false) leaves the slot to the one after it.
            if let transfer = transfers[next], launch(transfer) { return }
        }
    }

    /// Reads finished transfers from libcurl and resumes their callers.
    func drainCompleted() {
        guard let multi else { return }
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let id = transferIDs[easy], let transfer = transfers[id]
            else { continue }
            let code = sufra_curl_msg_result(message)
            finish(id: id, result: Self.result(of: transfer, code: code, limit: configuration.maxResponseSize))
        }
    }

    private static func result(
        of transfer: HTTPTransfer, code: CURLcode, limit: Int
    ) -> Result<CurlClientResponse, CurlClientError> {
        if transfer.tooLarge || code == CURLE_FILESIZE_EXCEEDED { return .failure(.responseTooLarge(limit: limit)) }
        switch code {
        case CURLE_OK:
            var status = 0
            _ = sufra_curl_getinfo_long(transfer.easy, CURLINFO_RESPONSE_CODE, &status)
            return .success(CurlClientResponse(status: status, headers: transfer.headers, body: transfer.body))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(CurlClientError.timedOut.requestSent(requestWritten(transfer)))
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .failure(.connectFailed(Self.message(transfer, code)))
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            // Failed before the request could be written (TLS handshake, bad URL): nothing reached the server.
            return .failure(
                CurlClientError.transport(code: Int(code.rawValue), message: Self.message(transfer, code))
                    .requestSent(false))
        default:
            // Connection reset, empty or malformed answer, …: the request may have been written.
            return .failure(
                CurlClientError.transport(code: Int(code.rawValue), message: Self.message(transfer, code))
                    .requestSent(requestWritten(transfer)))
        }
    }

    private static func message(_ transfer: HTTPTransfer, _ code: CURLcode) -> String {
        let detail = transfer.errorMessage
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

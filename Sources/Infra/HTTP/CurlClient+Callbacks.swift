import CCurl

/// libcurl's socket, timer and data callbacks. They run inside `curl_multi_*` calls the actor makes on the loop
/// thread, so `assumeIsolated` holds.
extension CurlClient {
    /// `CURLMOPT_SOCKETFUNCTION`: curl says which descriptor it waits on and for what.
    static let socketCallback: curl_socket_callback = { _, socket, what, userp, _ in
        guard let userp else { return 0 }
        let client = Unmanaged<CurlClient>.fromOpaque(userp).takeUnretainedValue()
        client.assumeIsolated(with: (socket, what)) { $0.socketChanged($1.0, what: $1.1) }
        return 0
    }

    /// `CURLMOPT_TIMERFUNCTION`: curl asks to be called back after `timeout` ms (-1: cancel the timer).
    static let timerCallback: curl_multi_timer_callback = { _, timeout, userp in
        guard let userp else { return 0 }
        let client = Unmanaged<CurlClient>.fromOpaque(userp).takeUnretainedValue()
        client.assumeIsolated(with: timeout) { $0.timerChanged(milliseconds: $1) }
        return 0
    }

    /// `CURLOPT_WRITEFUNCTION`: body bytes; returning less than given aborts the transfer.
    static let writeCallback: sufra_curl_data_callback = { pointer, size, count, userdata in
        guard let pointer, let userdata else { return 0 }
        let transfer = Unmanaged<HTTPTransfer>.fromOpaque(userdata).takeUnretainedValue()
        let length = size * count
        let accepted = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            transfer.receiveBody(UnsafeBufferPointer(start: $0, count: length))
        }
        return accepted ? length : 0
    }

    /// `CURLOPT_HEADERFUNCTION`: one header line at a time.
    static let headerCallback: sufra_curl_data_callback = { pointer, size, count, userdata in
        guard let pointer, let userdata else { return 0 }
        let transfer = Unmanaged<HTTPTransfer>.fromOpaque(userdata).takeUnretainedValue()
        let length = size * count
        let accepted = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            transfer.receiveHeaderLine(UnsafeBufferPointer(start: $0, count: length))
        }
        return accepted ? length : 0
    }

    func socketChanged(_ socket: curl_socket_t, what: Int32) {
        if what == CURL_POLL_REMOVE {
            if let watch = watchers.removeValue(forKey: socket) { loop.unwatch(watch) }
            return
        }
        var interest: IOEventLoop.Interest = []
        if what & CURL_POLL_IN != 0 { interest.insert(.readable) }
        if what & CURL_POLL_OUT != 0 { interest.insert(.writable) }
        if let watch = watchers[socket] {
            loop.update(watch, interest: interest)
            return
        }
        do {
            watchers[socket] = try loop.watch(fd: socket, interest: interest) { [weak self] readiness in
                guard let self else { return }
                self.assumeIsolated(with: (socket, readiness)) { $0.socketReady($1.0, readiness: $1.1) }
            }
        } catch {
            // The descriptor cannot be watched: let curl find the failure on its next timeout-driven poll.
            socketReady(socket, readiness: .hangup)
        }
    }

    func socketReady(_ socket: curl_socket_t, readiness: IOEventLoop.Readiness) {
        guard let multi else { return }
        var flags: Int32 = 0
        if readiness.contains(.readable) { flags |= CURL_CSELECT_IN }
        if readiness.contains(.writable) { flags |= CURL_CSELECT_OUT }
        if readiness.contains(.hangup) { flags |= CURL_CSELECT_ERR }
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, socket, flags, &running)
        drainCompleted()
    }

    func timerChanged(milliseconds: Int) {
        if let timer {
            loop.cancel(timer)
            self.timer = nil
        }
        guard milliseconds >= 0 else { return }
        timer = loop.schedule(after: .milliseconds(milliseconds)) { [weak self] in
            guard let self else { return }
            self.assumeIsolated(with: ()) { client, _ in client.timerFired() }
        }
    }

    func timerFired() {
        timer = nil
        guard let multi else { return }
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        drainCompleted()
    }
}

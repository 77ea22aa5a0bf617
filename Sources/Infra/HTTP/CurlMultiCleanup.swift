import CCurl

/// What a dead ``CurlClient`` leaves for the loop thread to release: its multi handle, the transfers still in it,
/// its idle easy handles, its descriptor watchers and its timer.
///
/// Safety of `@unchecked Sendable`: it is created in the client's `deinit` (which has exclusive access to the
/// client's state) and then used exactly once, by ``run(on:)`` on the loop thread; no other code holds these
/// pointers any more.
struct CurlMultiCleanup: @unchecked Sendable {
    let multi: UnsafeMutableRawPointer
    let transfers: [HTTPTransfer]
    let idleHandles: EasyHandlePool
    let watchers: [IOEventLoop.WatchID]
    let timer: IOEventLoop.TimerID?

    /// Stops libcurl from calling back, removes the watchers and timer, releases every handle.
    func run(on loop: IOEventLoop) {
        _ = sufra_curl_multi_setopt_socket_function(multi, nil)
        _ = sufra_curl_multi_setopt_timer_function(multi, nil)
        for watch in watchers { loop.unwatch(watch) }
        if let timer { loop.cancel(timer) }
        for transfer in transfers { curl_multi_remove_handle(multi, transfer.easy) }
        for transfer in transfers { curl_easy_cleanup(transfer.easy) }
        var idle = idleHandles
        idle.removeAll()
        curl_multi_cleanup(multi)
    }
}

import CCurl

/// libcurl easy handles kept for the next transfers of a ``CurlClient``: a finished transfer's handle is reset
/// (`curl_easy_reset`: options cleared, its buffers and caches kept) and used again instead of being freed, so a
/// transfer does not pay for allocating, zeroing and freeing a handle and its 16 KiB receive buffer
/// (docs/twilio.md, "HTTP client").
///
/// Confined to the client's executor (the loop thread), like the handles themselves.
struct EasyHandlePool {
    /// Handles kept at most; the ones beyond are freed.
    let capacity: Int
    private var idle: [UnsafeMutableRawPointer] = []

    /// A pool keeping at most `capacity` idle handles.
    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Handles waiting to be used again.
    var idleCount: Int { idle.count }

    /// An idle handle, or a new one; nil when libcurl cannot make one.
    mutating func take() -> UnsafeMutableRawPointer? {
        idle.popLast() ?? curl_easy_init()
    }

    /// Takes back a handle no multi handle holds any more: reset and kept, or freed when the pool is full.
    mutating func giveBack(_ easy: UnsafeMutableRawPointer) {
        guard idle.count < capacity else {
            curl_easy_cleanup(easy)
            return
        }
        curl_easy_reset(easy)
        idle.append(easy)
    }

    /// Frees every idle handle.
    mutating func removeAll() {
        for easy in idle { curl_easy_cleanup(easy) }
        idle.removeAll()
    }
}

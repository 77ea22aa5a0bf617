import CCurl

/// One request, waiting for a connection slot or in libcurl: its easy handle, the header list, the response being
/// received, and the caller's continuation.
///
/// Confined to the ``CurlClient`` actor (whose executor is the event loop): libcurl's write and header callbacks
/// run inside `curl_multi_socket_action`, which the actor calls, so every access is on the loop thread.
final class HTTPTransfer {
    let id: UInt64
    let easy: UnsafeMutableRawPointer
    var headerList: UnsafeMutablePointer<curl_slist>?
    let continuation: CheckedContinuation<Result<CurlClientResponse, CurlClientError>, Never>
    let maxResponseSize: Int
    /// The origin whose connection slot it takes (``TransferAdmission/origin(of:)``).
    var origin = ""
    /// When the caller gives up, waiting for a slot included (``IOEventLoop/nowNanoseconds()``).
    var deadline: UInt64 = 0
    /// Handed to libcurl (false while it waits for a slot).
    var started = false
    /// Fails it at its deadline while it waits for a slot.
    var queueTimer: IOEventLoop.TimerID?
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var headerBytes = 0
    var tooLarge = false
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))

    init(
        id: UInt64, easy: UnsafeMutableRawPointer, maxResponseSize: Int,
        continuation: CheckedContinuation<Result<CurlClientResponse, CurlClientError>, Never>
    ) {
        self.id = id
        self.easy = easy
        self.maxResponseSize = maxResponseSize
        self.continuation = continuation
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
    }

    /// Appends body bytes; false once the limit is passed (the transfer is then aborted).
    func receiveBody(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard body.count + bytes.count <= maxResponseSize else {
            tooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Takes one header line; a status line starts a new header block (interim 1xx answers, redirects).
    func receiveHeaderLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        headerBytes += bytes.count
        guard headerBytes <= 64 * 1024 else {
            tooLarge = true
            return false
        }
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
            return true
        }
        guard let colon = line.firstIndex(of: ":") else { return true }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingHTTPWhitespace()
        headers.append((name: name, value: value))
        return true
    }

    var errorMessage: String { String(cString: errorBuffer) }
}

extension Substring {
    /// Drops spaces, tabs, CR and LF at both ends (`"\r\n"` is one `Character` in Swift, hence the list).
    func trimmingHTTPWhitespace() -> String {
        let whitespace: [Character] = [" ", "\t", "\r", "\n", "\r\n"]
        var slice = self
        while let first = slice.first, whitespace.contains(first) { slice.removeFirst() }
        while let last = slice.last, whitespace.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

import CCurl

/// One request, waiting for a connection slot or in libcurl: its easy handle (the client's: it goes back to the
/// client's ``EasyHandlePool`` when the transfer ends), the header list, the response being received, and the
/// caller's continuation.
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
        // The handle was reset or freed by the client first, so it no longer points at the list.
        if let headerList { curl_slist_free_all(headerList) }
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

    /// Takes one header line; a status line starts a new header block (interim 1xx answers, redirects). Read as
    /// bytes: only the name and the trimmed value become strings.
    func receiveHeaderLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        headerBytes += bytes.count
        guard headerBytes <= 64 * 1024 else {
            tooLarge = true
            return false
        }
        if bytes.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            return true
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return true }
        var start = colon + 1
        var end = bytes.endIndex
        while start < end, Self.isHTTPWhitespace(bytes[start]) { start += 1 }
        while end > start, Self.isHTTPWhitespace(bytes[end - 1]) { end -= 1 }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<colon]), as: UTF8.self)
        let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        headers.append((name: name, value: value))
        return true
    }

    private static func isHTTPWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
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

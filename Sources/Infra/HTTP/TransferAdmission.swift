import DequeModule

/// Which of a ``CurlClient``'s transfers run now: at most `limit` per origin are handed to libcurl, the rest wait
/// here in arrival order.
///
/// libcurl could queue them itself (`CURLMOPT_MAX_HOST_CONNECTIONS` puts a transfer beyond the limit on its
/// pending list), but libcurl 7.88 — Debian 12's — walks that whole list in every `curl_multi_remove_handle`, so a
/// slow host made each finished transfer cost time in proportion to the backlog: quadratic CPU exactly when the
/// peer is struggling (docs/twilio.md, "Connections"). Here admitting, finishing and starting the next are O(1);
/// withdrawing a waiting transfer (cancelled, or its deadline passed in the queue) is linear in its origin's queue,
/// and rare.
///
/// A pure value: the client calls it on its executor and does what it says.
struct TransferAdmission {
    /// Transfers per origin in libcurl at once; 0 means no limit.
    let limit: Int
    private var origins: [String: Origin] = [:]
    /// Transfers waiting, over every origin.
    private(set) var waitingCount = 0

    private struct Origin {
        var running = 0
        var waiting = Deque<UInt64>()
    }

    /// A client admitting at most `limit` transfers per origin at once (0: all of them).
    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Takes transfer `id` for `origin`: true when it may start now (it holds a slot until ``release(_:)``),
    /// false when it waits for one.
    mutating func admit(_ id: UInt64, origin: String) -> Bool {
        var entry = origins[origin, default: Origin()]
        defer { origins[origin] = entry }
        if limit == 0 || entry.running < limit {
            entry.running += 1
            return true
        }
        entry.waiting.append(id)
        waitingCount += 1
        return false
    }

    /// A transfer of `origin` that held a slot ended. Returns the transfer that now holds that slot and must be
    /// started (the longest waiting), or nil when none waits and the slot is free.
    mutating func release(_ origin: String) -> UInt64? {
        guard var entry = origins[origin] else { return nil }
        if let next = entry.waiting.popFirst() {
            waitingCount -= 1
            origins[origin] = entry
            return next
        }
        entry.running -= 1
        origins[origin] = entry.running == 0 ? nil : entry
        return nil
    }

    /// Takes a waiting transfer out of the queue (cancelled, or its deadline passed); false when it was not waiting.
    mutating func withdraw(_ id: UInt64, origin: String) -> Bool {
        guard var entry = origins[origin], let index = entry.waiting.firstIndex(of: id) else { return false }
        entry.waiting.remove(at: index)
        waitingCount -= 1
        origins[origin] = entry
        return true
    }

    /// The transfers of `origin` holding a slot now.
    func running(_ origin: String) -> Int { origins[origin]?.running ?? 0 }

    /// What libcurl's per-host limit counts by: the URL's scheme and authority, lowercased (`http://Host:8080/x?y`
    /// → `http://host:8080`). An explicit default port is another origin than none, which at worst lets libcurl
    /// hold one origin's transfers back itself.
    static func origin(of url: String) -> String {
        var url = url
        return url.withUTF8 { bytes in
            var start = 0
            // The authority starts after the first "://", if there is one (bytes, not `firstRange(of:)`: the
            // generic collection search was 3.5 % of the load harness's CPU).
            var index = 0
            while index + 2 < bytes.count {
                if bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: "/")
                    && bytes[index + 2] == UInt8(ascii: "/")
                {
                    start = index + 3
                    break
                }
                index += 1
            }
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "/"), bytes[end] != UInt8(ascii: "?"),
                bytes[end] != UInt8(ascii: "#")
            {
                end += 1
            }
            return String(unsafeUninitializedCapacity: end) { origin in
                for offset in 0..<end {
                    let byte = bytes[offset]
                    origin[offset] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
                }
                return end
            }
        }
    }
}

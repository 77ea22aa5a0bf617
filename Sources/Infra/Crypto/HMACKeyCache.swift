import COpenSSL
import Synchronization

/// OpenSSL MAC contexts already keyed, one per (digest, key), so an HMAC over a key seen before is a copy of its
/// context, an update and a final.
///
/// OpenSSL 3's one-shot `HMAC()` looks the MAC and the digest up by name in the provider store (locks, hash
/// lookups) and hashes the key into the inner and outer pads on every call; it was 2.7 % of the server's `perf`
/// samples at 400 messages/s with replies sent (one signature per webhook and per status callback). The keys are
/// few — one auth token per restaurant and token version — so they are kept, up to ``capacity``; past it the cache
/// starts over.
final class HMACKeyCache: Sendable {
    /// The process's cache.
    static let shared = HMACKeyCache()

    /// Keys kept at most before the cache is emptied.
    let capacity: Int
    private let state = Mutex(State())

    /// The keyed contexts, and HMAC's MAC fetched once for them all.
    private struct State: ~Copyable {
        var contexts: [Entry: KeyedContext] = [:]
        var hmac: OpaquePointer?
    }

    /// What a context is keyed by: the digest's OpenSSL name and the key's bytes.
    private struct Entry: Hashable {
        var digest: String
        var key: [UInt8]
    }

    /// A cache keeping up to `capacity` keyed contexts.
    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// The MAC of `data` under `key` with the digest OpenSSL calls `digest` (`SHA1`, `SHA256`), `length` bytes;
    /// nil when OpenSSL refuses (unknown digest, out of memory) — the caller falls back to the one-shot call.
    func mac(digest: String, length: Int, key: [UInt8], data: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let context = copyOfKeyedContext(digest: digest, key: key) else { return nil }
        defer { EVP_MAC_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: length)
        var written = 0
        let done = output.withUnsafeMutableBufferPointer { out in
            EVP_MAC_update(context, data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count) == 1
                && EVP_MAC_final(context, out.baseAddress, &written, length) == 1
        }
        return done && written == length ? output : nil
    }

    /// A fresh copy of the context keyed with `key` (made and kept on first use); the caller frees it.
    private func copyOfKeyedContext(digest: String, key: [UInt8]) -> OpaquePointer? {
        let entry = Entry(digest: digest, key: key)
        return state.withLock { state -> OpaquePointer? in
            if let keyed = state.contexts[entry] { return EVP_MAC_CTX_dup(keyed.pointer) }
            if state.hmac == nil { state.hmac = EVP_MAC_fetch(nil, "HMAC", nil) }
            guard let hmac = state.hmac, let keyed = KeyedContext(hmac: hmac, digest: digest, key: key) else {
                return nil
            }
            if state.contexts.count >= capacity { state.contexts.removeAll() }
            state.contexts[entry] = keyed
            return EVP_MAC_CTX_dup(keyed.pointer)
        }
    }
}

/// One `EVP_MAC_CTX` keyed for HMAC with a digest; freed with the object.
///
/// Only copied (`EVP_MAC_CTX_dup` reads it) and only under ``HMACKeyCache``'s lock, never updated in place.
private final class KeyedContext {
    let pointer: OpaquePointer

    /// A context of `hmac` (the fetched `EVP_MAC`) keyed with `key`; nil for an empty key (the one-shot call handles
    /// it) or when OpenSSL refuses.
    init?(hmac: OpaquePointer, digest: String, key: [UInt8]) {
        guard !key.isEmpty, let context = EVP_MAC_CTX_new(hmac) else { return nil }
        let keyed = digest.withCString { name -> Bool in
            var parameters = [
                OSSL_PARAM_construct_utf8_string("digest", UnsafeMutablePointer(mutating: name), 0),
                OSSL_PARAM_construct_end(),
            ]
            return key.withUnsafeBufferPointer { keyBuffer in
                EVP_MAC_init(context, keyBuffer.baseAddress, keyBuffer.count, &parameters) == 1
            }
        }
        guard keyed else {
            EVP_MAC_CTX_free(context)
            return nil
        }
        pointer = context
    }

    deinit { EVP_MAC_CTX_free(pointer) }
}

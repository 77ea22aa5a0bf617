import COpenSSL

/// Keyed-hash message authentication codes (OpenSSL: a keyed context per key from ``HMACKeyCache``, the one-shot
/// `HMAC` when that fails).
public enum HMAC {
    /// HMAC-SHA1 (20 bytes), as Twilio signs requests.
    public static func sha1<Key: Collection, Data: Collection>(key: Key, data: Data) -> [UInt8]
    where Key.Element == UInt8, Data.Element == UInt8 {
        mac(EVP_sha1(), name: "SHA1", length: 20, key: key, data: data)
    }

    /// HMAC-SHA256 (32 bytes).
    public static func sha256<Key: Collection, Data: Collection>(key: Key, data: Data) -> [UInt8]
    where Key.Element == UInt8, Data.Element == UInt8 {
        mac(EVP_sha256(), name: "SHA256", length: 32, key: key, data: data)
    }

    private static func mac<Key: Collection, Data: Collection>(
        _ md: OpaquePointer?, name: String, length: Int, key: Key, data: Data
    ) -> [UInt8] where Key.Element == UInt8, Data.Element == UInt8 {
        let key = Array(key)
        let data = Array(data)
        let cached = data.withUnsafeBytes { HMACKeyCache.shared.mac(digest: name, length: length, key: key, data: $0) }
        return cached ?? oneShot(md, length: length, key: key, data: data)
    }

    /// OpenSSL's one-shot `HMAC-SHA1`: the fallback, and the reference the keyed contexts are tested against.
    static func oneShotSHA1(key: [UInt8], data: [UInt8]) -> [UInt8] {
        oneShot(EVP_sha1(), length: 20, key: key, data: data)
    }

    /// OpenSSL's one-shot `HMAC-SHA256` (see ``oneShotSHA1(key:data:)``).
    static func oneShotSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        oneShot(EVP_sha256(), length: 32, key: key, data: data)
    }

    private static func oneShot(_ md: OpaquePointer?, length: Int, key: [UInt8], data: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        var outputLength: UInt32 = 0
        key.withUnsafeBytes { keyBuffer in
            data.withUnsafeBytes { dataBuffer in
                output.withUnsafeMutableBufferPointer { out in
                    // HMAC with a valid digest and in-memory buffers cannot fail short of memory exhaustion.
                    _ = COpenSSL.HMAC(
                        md, keyBuffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(keyBuffer.count),
                        dataBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), dataBuffer.count,
                        out.baseAddress, &outputLength)
                }
            }
        }
        return output
    }
}

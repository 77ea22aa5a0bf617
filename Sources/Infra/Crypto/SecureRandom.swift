import COpenSSL

/// Cryptographically secure random bytes (OpenSSL `RAND_bytes`).
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        guard count > 0 else { return [] }
        var output = [UInt8](repeating: 0, count: count)
        let status = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        guard status == 1 else { throw .openSSL("RAND_bytes") }
        return output
    }
}

/// Compares two byte strings in time that depends only on their lengths (`CRYPTO_memcmp`).
///
/// Different lengths compare unequal at once: lengths are not secret here (signatures and tags have fixed sizes).
public func constantTimeEqual<A: Collection, B: Collection>(_ lhs: A, _ rhs: B) -> Bool
where A.Element == UInt8, B.Element == UInt8 {
    let lhs = Array(lhs)
    let rhs = Array(rhs)
    guard lhs.count == rhs.count else { return false }
    if lhs.isEmpty { return true }
    return lhs.withUnsafeBytes { left in
        rhs.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0 }
    }
}

import COpenSSL
import Foundation

/// Slow salted password hashes: PBKDF2-HMAC-SHA256 through OpenSSL (`PKCS5_PBKDF2_HMAC`) with OWASP's work
/// factor (600,000 iterations), a random 16-byte salt and a 32-byte key, stored as a self-describing string
/// `pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>` so the factor can grow without breaking old hashes.
public enum PasswordHash {
    /// OWASP's recommendation for PBKDF2-HMAC-SHA256 (Password Storage Cheat Sheet).
    public static let defaultIterations = 600_000
    /// The scheme name at the front of every stored hash.
    public static let scheme = "pbkdf2-sha256"
    static let saltBytes = 16
    static let keyBytes = 32
    /// Stored hashes naming fewer iterations are refused (a tampered row must not make guessing cheap).
    static let minimumIterations = 100_000
    /// Stored hashes naming more are refused (a tampered row must not make verification a denial of service).
    static let maximumIterations = 10_000_000

    /// Hashes `password` with a fresh random salt; returns the self-describing string to store.
    public static func make(_ password: String, iterations: Int = defaultIterations) throws(CryptoError) -> String {
        let salt = try SecureRandom.bytes(saltBytes)
        let key = try derive(password, salt: salt, iterations: iterations)
        return "\(scheme)$\(iterations)$\(Base64.encode(salt))$\(Base64.encode(key))"
    }

    /// Whether `password` matches `stored` (constant-time comparison of the derived keys). A malformed stored
    /// string never matches.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == scheme, let iterations = Int(parts[1]),
            (minimumIterations...maximumIterations).contains(iterations),
            let salt = Base64.decode(String(parts[2])), !salt.isEmpty,
            let expected = Base64.decode(String(parts[3])), expected.count == keyBytes,
            let actual = try? derive(password, salt: salt, iterations: iterations)
        else { return false }
        return constantTimeEqual(actual, expected)
    }

    /// A hash of a random password, verified against when the email is unknown so that an unknown email costs
    /// as much time as a wrong password.
    public static let decoy: String = (try? make(UUID().uuidString)) ?? "\(scheme)$\(defaultIterations)$AA==$AA=="

    private static func derive(_ password: String, salt: [UInt8], iterations: Int) throws(CryptoError) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: keyBytes)
        let passwordBytes = Array(password.utf8)
        let status = passwordBytes.withUnsafeBufferPointer { passwordBuffer in
            salt.withUnsafeBufferPointer { saltBuffer in
                key.withUnsafeMutableBufferPointer { out in
                    passwordBuffer.withMemoryRebound(to: CChar.self) { chars in
                        PKCS5_PBKDF2_HMAC(
                            chars.baseAddress, Int32(chars.count), saltBuffer.baseAddress, Int32(saltBuffer.count),
                            Int32(iterations), EVP_sha256(), Int32(out.count), out.baseAddress)
                    }
                }
            }
        }
        guard status == 1 else { throw .openSSL("PKCS5_PBKDF2_HMAC") }
        return key
    }
}

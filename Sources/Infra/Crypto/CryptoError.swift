/// A cryptographic operation failed: bad key or input size, an authentication failure, or an OpenSSL error.
///
/// A struct wrapping a private enum so cases can grow without breaking callers.
public struct CryptoError: Error, Hashable, CustomStringConvertible {
    private enum Base: Hashable {
        case invalidKeySize(expected: Int, actual: Int)
        case invalidInput(String)
        case authenticationFailed
        case unknownKeyID(String)
        case openSSL(String)
    }

    private let base: Base

    private init(_ base: Base) { self.base = base }

    /// A key had the wrong length.
    public static func invalidKeySize(expected: Int, actual: Int) -> CryptoError {
        CryptoError(.invalidKeySize(expected: expected, actual: actual))
    }
    /// The input was malformed (e.g. not base64, too short).
    public static func invalidInput(_ reason: String) -> CryptoError { CryptoError(.invalidInput(reason)) }
    /// The ciphertext, tag, key or associated data do not match: the message was not opened.
    public static let authenticationFailed = CryptoError(.authenticationFailed)
    /// A sealed secret names a key id the box does not hold.
    public static func unknownKeyID(_ id: String) -> CryptoError { CryptoError(.unknownKeyID(id)) }
    /// OpenSSL reported an error.
    public static func openSSL(_ operation: String) -> CryptoError { CryptoError(.openSSL(operation)) }

    public var description: String {
        switch base {
        case .invalidKeySize(let expected, let actual): "invalid key size: expected \(expected) bytes, got \(actual)"
        case .invalidInput(let reason): "invalid input: \(reason)"
        case .authenticationFailed: "authentication failed (wrong key, associated data or tampered data)"
        case .unknownKeyID(let id): "unknown key id '\(id)'"
        case .openSSL(let operation): "OpenSSL \(operation) failed"
        }
    }
}

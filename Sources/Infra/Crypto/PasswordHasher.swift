import Foundation

/// Runs ``PasswordHash`` off the Swift concurrency pool: one derivation takes a few hundred milliseconds of CPU
/// by design, which must not stall the cooperative threads that serve every other request. Each call gets a
/// short-lived thread of its own (logins are rare, and the lock-out bounds how many one email can start).
public enum PasswordHasher {
    /// ``PasswordHash/make(_:iterations:)`` on a thread of its own.
    public static func make(
        _ password: String, iterations: Int = PasswordHash.defaultIterations
    ) async throws(CryptoError) -> String {
        try await offPool {
            Result<String, CryptoError> { () throws(CryptoError) in
                try PasswordHash.make(password, iterations: iterations)
            }
        }.get()
    }

    /// ``PasswordHash/verify(_:against:)`` on a thread of its own.
    public static func verify(_ password: String, against stored: String) async -> Bool {
        await offPool { PasswordHash.verify(password, against: stored) }
    }

    private static func offPool<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = "sufra.password"
            thread.start()
        }
    }
}

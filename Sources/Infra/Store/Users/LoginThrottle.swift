import Foundation

/// The lock-out after repeated failed logins (docs/dashboard.md): at most ``limit`` failures per restaurant and
/// email within ``window``; past that every attempt is refused, the right password included, until the oldest
/// failure leaves the window. Kept in PostgreSQL so every process sees the same count.
///
/// An attempt first *reserves* a slot (a row in `login_failures`, under a transaction-scoped advisory lock on
/// the key, so parallel attempts cannot all slip under the limit); a successful login then clears the key's
/// rows, a failed one leaves its row as the failure.
public struct LoginThrottle: Sendable {
    /// Failures allowed within the window (the next attempt is refused).
    public let limit: Int
    /// How long a failure counts.
    public let window: Duration
    let client: PGPool

    /// Creates the throttle on the accounts' database (10 failures per 15 minutes by default).
    public init(users: UserStore, limit: Int = 10, window: Duration = .seconds(15 * 60)) {
        self.client = users.client
        self.limit = limit
        self.window = window
    }

    /// What ``reserve(restaurantId:email:)`` decided.
    public enum Decision: Sendable, Equatable {
        /// Go ahead and check the password; report the outcome with ``succeeded(_:)`` (a failure needs nothing).
        case allowed(Attempt)
        /// Too many failures: refused for this many more whole seconds (at least 1).
        case locked(retryAfterSeconds: Int)
    }

    /// A reserved attempt.
    public struct Attempt: Sendable, Equatable {
        let key: String
    }

    /// Reserves an attempt for `email` at `restaurantId`, or says how long the lock-out lasts.
    public func reserve(restaurantId: String, email: String) async throws -> Decision {
        let key = restaurantId.lowercased() + " " + email.lowercased()
        let windowSeconds = Int(window.components.seconds)
        return try await client.withTransaction { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 7))")
            _ = try await connection.execute(
                """
                DELETE FROM login_failures
                WHERE login_key = \(key) AND at <= now() - \(windowSeconds) * interval '1 second'
                """)
            let row = try await connection.query(
                """
                SELECT count(*)::int AS failures,
                    ceil(extract(epoch FROM min(at) + \(windowSeconds) * interval '1 second' - now()))::int AS wait
                FROM login_failures WHERE login_key = \(key)
                """
            ).single()
            if try row.decode("failures", as: Int.self) >= limit {
                return .locked(retryAfterSeconds: max(1, try row.decode("wait", as: Int?.self) ?? 1))
            }
            _ = try await connection.execute("INSERT INTO login_failures (login_key) VALUES (\(key))")
            return .allowed(Attempt(key: key))
        }
    }

    /// The password was right: the key's failures are forgotten.
    public func succeeded(_ attempt: Attempt) async throws {
        try await client.execute("DELETE FROM login_failures WHERE login_key = \(attempt.key)")
    }
}

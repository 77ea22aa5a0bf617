import Foundation

/// The `users` table: a restaurant's dashboard accounts. Emails are compared lowercased; passwords arrive as
/// ``PasswordHash`` strings and never leave this type except to ``UserStore/credentials(restaurantId:email:)``.
public struct UserStore: Sendable {
    /// Why an account was not created.
    public enum CreateError: Error, Sendable, Equatable {
        /// The restaurant does not exist.
        case unknownRestaurant
        /// The restaurant already has an account with this email.
        case duplicateEmail
    }

    /// What a login checks: the account and its stored hash.
    public struct Credentials: Sendable {
        /// The account.
        public var user: UserRecord
        /// The ``PasswordHash`` string.
        public var passwordHash: String
    }

    let client: PGPool

    /// Creates the store.
    public init(client: PGPool) {
        self.client = client
    }

    static let columns = """
        id::text AS id, restaurant_id::text AS restaurant_id, email, name, role,
        \(StaffStore.iso("created_at")) AS created_iso, \(StaffStore.micros("created_at")) AS sort_micros
        """

    /// Creates an account; `passwordHash` is a ``PasswordHash`` string.
    public func create(
        restaurantId: String, email: String, name: String, role: String, passwordHash: String
    ) async throws -> UserRecord {
        guard StaffStore.isID(restaurantId) else { throw CreateError.unknownRestaurant }
        do {
            let rows = try await client.query(
                """
                INSERT INTO users (restaurant_id, email, name, role, password_hash)
                SELECT id, \(email.lowercased()), \(name), \(role), \(passwordHash) FROM restaurants
                WHERE id = \(restaurantId)::uuid
                RETURNING \(unescaped: Self.columns)
                """)
            guard let row = rows.first else { throw CreateError.unknownRestaurant }
            return try Self.user(row)
        } catch let error as PGError where error.isUniqueViolation {
            throw CreateError.duplicateEmail
        }
    }

    /// The restaurant's accounts, newest first, keyset-paged; nil when the restaurant does not exist.
    public func list(restaurantId: String, limit: Int, before: PageCursor?) async throws -> Page<UserRecord>? {
        guard StaffStore.isID(restaurantId) else { return nil }
        let exists = try await client.query("SELECT 1 FROM restaurants WHERE id = \(restaurantId)::uuid")
        guard !exists.isEmpty else { return nil }
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM users
            WHERE restaurant_id = \(restaurantId)::uuid
              AND (\(before?.micros)::bigint IS NULL OR (created_at, id)
                  < ('epoch'::timestamptz + \(before?.micros)::bigint * interval '1 microsecond', \(before?.id)::uuid))
            ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)
            """)
        return try Page(rows: rows, limit: limit, Self.user)
    }

    /// Replaces the password hash of the restaurant's account with `email` (the demo account of `sufra dev`).
    public func setPasswordHash(restaurantId: String, email: String, _ passwordHash: String) async throws {
        guard StaffStore.isID(restaurantId) else { return }
        try await client.execute(
            """
            UPDATE users SET password_hash = \(passwordHash)
            WHERE restaurant_id = \(restaurantId)::uuid AND email = \(email.lowercased())
            """)
    }

    /// Deletes an account; false when there is none with this id.
    public func delete(id: String) async throws -> Bool {
        guard StaffStore.isID(id) else { return false }
        return try await client.execute("DELETE FROM users WHERE id = \(id)::uuid") > 0
    }

    /// Whether `id` is an account of `restaurantId` (a token's `sub` is checked with it on every request).
    public func exists(id: String, restaurantId: String) async throws -> Bool {
        guard StaffStore.isID(id), StaffStore.isID(restaurantId) else { return false }
        let rows = try await client.query(
            "SELECT 1 FROM users WHERE id = \(id)::uuid AND restaurant_id = \(restaurantId)::uuid")
        return !rows.isEmpty
    }

    /// The account and hash for a login, or nil when the restaurant has no such email.
    public func credentials(restaurantId: String, email: String) async throws -> Credentials? {
        guard StaffStore.isID(restaurantId) else { return nil }
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns), password_hash FROM users
            WHERE restaurant_id = \(restaurantId)::uuid AND email = \(email.lowercased())
            """)
        guard let row = rows.first else { return nil }
        return Credentials(user: try Self.user(row), passwordHash: try row.decode("password_hash", as: String.self))
    }

    static func user(_ row: PGRow) throws -> UserRecord {
        UserRecord(
            id: try row.decode("id", as: String.self), restaurantId: try row.decode("restaurant_id", as: String.self),
            email: try row.decode("email", as: String.self), name: try row.decode("name", as: String.self),
            role: try row.decode("role", as: String.self), createdAt: try row.decode("created_iso", as: String.self))
    }
}

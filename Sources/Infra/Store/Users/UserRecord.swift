/// A dashboard account of one restaurant as the API shows it (docs/dashboard.md): never the password or its hash.
public struct UserRecord: Sendable, Encodable, Equatable {
    /// The user id (a JWT's `sub`).
    public var id: String
    /// The restaurant the account belongs to.
    public var restaurantId: String
    /// Lowercased email, unique within the restaurant.
    public var email: String
    /// Display name.
    public var name: String
    /// `admin` or `staff`.
    public var role: String
    /// ISO-8601 UTC.
    public var createdAt: String

    /// Creates a record.
    public init(id: String, restaurantId: String, email: String, name: String, role: String, createdAt: String) {
        self.id = id
        self.restaurantId = restaurantId
        self.email = email
        self.name = name
        self.role = role
        self.createdAt = createdAt
    }
}

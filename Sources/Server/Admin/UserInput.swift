import Foundation

/// The body of `POST /admin/restaurants/{id}/users` (and of `sufra user add`, whose password comes from stdin).
struct UserInput: Decodable, Sendable {
    /// Shortest password accepted.
    static let minimumPasswordLength = 10

    var email: String
    var name: String
    var role: String
    var password: String

    /// The checked fields (email trimmed and lowercased), or a 400 ``APIError`` naming the first problem.
    func validated() throws(APIError) -> (email: String, name: String, role: String) {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !email.contains(" ") else {
            throw .badRequest("email must look like name@example.com")
        }
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw .badRequest("name must not be empty") }
        guard role == "staff" || role == "admin" else { throw .badRequest("role must be staff or admin") }
        guard password.count >= Self.minimumPasswordLength else {
            throw .badRequest("password must be at least \(Self.minimumPasswordLength) characters")
        }
        return (email, name, role)
    }
}

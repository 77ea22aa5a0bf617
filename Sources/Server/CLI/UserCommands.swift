import Foundation
import Infra
import Logging

/// What `sufra user add` does: the same checks and effect as `POST /admin/restaurants/{id}/users`.
public enum UserCommands {
    /// Creates a dashboard account and returns it as pretty JSON (never the password or its hash).
    public static func add(
        configuration: SufraConfiguration, restaurant: String, email: String, name: String, role: String,
        password: String, logger: Logger
    ) async throws -> String {
        let input = UserInput(email: email, name: name, role: role, password: password)
        let valid: (email: String, name: String, role: String)
        do {
            valid = try input.validated()
        } catch {
            throw CommandError(error.message)
        }
        let hash = try await PasswordHasher.make(password)
        let user = try await withPostgres(url: try TenantCommands.databaseURL(configuration), logger: logger) {
            client in
            do {
                return try await UserStore(client: client).create(
                    restaurantId: restaurant.lowercased(), email: valid.email, name: valid.name, role: valid.role,
                    passwordHash: hash)
            } catch UserStore.CreateError.duplicateEmail {
                throw CommandError("restaurant \(restaurant) already has a user with email \(valid.email)")
            } catch UserStore.CreateError.unknownRestaurant {
                throw CommandError("no restaurant with id \(restaurant)")
            }
        }
        return try TenantCommands.pretty(user)
    }

    /// The password from standard input: its first line, without the line break (never from argv, where other
    /// users of the machine can read it).
    public static func readPassword() -> String {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        let text = String(decoding: data, as: UTF8.self)
        return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
    }
}

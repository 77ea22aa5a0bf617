import Foundation
import Infra
import Logging

/// What `sufra tenant add|list|pause|resume` do, shared with the admin API's effects.
public enum TenantCommands {
    /// Creates a restaurant and returns it as pretty JSON.
    public static func add(
        configuration: SufraConfiguration, name: String, whatsappFrom: String, accountSid: String, authToken: String,
        language: String, sendPerMinute: Int?, inboundPerMinute: Int?, logger: Logger
    ) async throws -> String {
        let secrets = try secretBox(configuration)
        let input = RestaurantInput(
            name: name, whatsappFrom: whatsappFrom, twilioAccountSid: accountSid, twilioAuthToken: authToken,
            inboundPerMinute: inboundPerMinute, sendPerMinute: sendPerMinute, language: language)
        let (fields, token) = try input.creationFields()
        let id = UUID().uuidString.lowercased()
        let sealed = try secrets.seal(token, associatedData: id)
        let record = try await withPostgres(url: try databaseURL(configuration), logger: logger) { client in
            try await RestaurantRepository(client: client).create(
                id: id, fields: fields, encryptedAuthToken: sealed, menu: [])
        }
        return try pretty(record)
    }

    /// Every restaurant as pretty JSON (`{ items, next }`, all pages).
    public static func list(configuration: SufraConfiguration, logger: Logger) async throws -> String {
        let items = try await withPostgres(url: try databaseURL(configuration), logger: logger) { client in
            try await RestaurantRepository(client: client).allCredentialed().map(\.record)
        }
        return try pretty(Page(items: items.sorted { $0.createdAt > $1.createdAt }, next: nil))
    }

    /// Pauses (`paused: true`) or resumes a restaurant; returns it as pretty JSON.
    public static func setPaused(
        configuration: SufraConfiguration, id: String, paused: Bool, logger: Logger
    ) async throws -> String {
        let record = try await withPostgres(url: try databaseURL(configuration), logger: logger) { client in
            try await RestaurantRepository(client: client).setStatus(
                id: id.lowercased(), status: paused ? "paused" : "active",
                reason: paused ? "paused by an operator" : nil)
        }
        guard let record else { throw CommandError("no restaurant with id \(id)") }
        return try pretty(record)
    }

    /// The auth token `tenant add` stores, kept out of argv when wanted: `--auth-token -` reads the first line
    /// of standard input, no `--auth-token` takes `TWILIO_AUTH_TOKEN` from the environment, anything else is
    /// the token itself.
    public static func authToken(
        argument: String?, environment: [String: String], standardInput: () -> String?
    ) throws(CommandError) -> String {
        let token: String?
        switch argument {
        case "-": token = standardInput()
        case let value?: token = value
        case nil: token = environment["TWILIO_AUTH_TOKEN"]
        }
        let trimmed = token.map { String($0.filter { !$0.isNewline }).trimmingCharacters(in: .whitespaces) } ?? ""
        guard !trimmed.isEmpty else {
            throw CommandError(
                argument == "-"
                    ? "no auth token on standard input"
                    : "the Twilio auth token is missing: pass --auth-token - (stdin), set TWILIO_AUTH_TOKEN, "
                        + "or pass --auth-token TOKEN")
        }
        return trimmed
    }

    static func secretBox(_ configuration: SufraConfiguration) throws -> SecretBox {
        try configuration.secretBox()
    }

    static func databaseURL(_ configuration: SufraConfiguration) throws -> String {
        guard let url = configuration.databaseURL else { throw ConfigurationError.missing("DATABASE_URL") }
        return url
    }

    static func pretty(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// A command failed for a reason the user can act on (printed as one line).
public struct CommandError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}

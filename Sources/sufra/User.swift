import ArgumentParser
import Server

/// `sufra user add`: create a restaurant's dashboard account; the password is read from stdin.
struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage dashboard accounts (same effects as the admin API).", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a dashboard account; reads the password from stdin and prints the user as JSON.",
            discussion:
                "Example: printf '%s\\n' \"$PASSWORD\" | sufra user add --restaurant ID --email a@b.c --name Ali")
        @Option(help: "The restaurant id.") var restaurant: String
        @Option(help: "Login email (unique within the restaurant).") var email: String
        @Option(help: "Display name.") var name: String
        @Option(help: "staff or admin.") var role: String = "staff"

        func run() async throws {
            let configuration = try loadConfiguration()
            try await reportingErrors {
                print(
                    try await UserCommands.add(
                        configuration: configuration, restaurant: restaurant, email: email, name: name, role: role,
                        password: UserCommands.readPassword(), logger: makeLogger()))
            }
        }
    }
}

import ArgumentParser
import Server

/// `sufra secrets reencrypt`: move every restaurant's auth token to the current master key.
struct Secrets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the secrets sealed with the master key.", subcommands: [Reencrypt.self])

    struct Reencrypt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal every restaurant's Twilio auth token again with the current master key "
                + "(MASTER_KEY, or the first of MASTER_KEYS); older keys must still be configured to open them.")

        func run() async throws {
            let configuration = try loadConfiguration()
            try await reportingErrors {
                print(try await SecretsCommands.reencrypt(configuration: configuration, logger: makeLogger()))
            }
        }
    }
}

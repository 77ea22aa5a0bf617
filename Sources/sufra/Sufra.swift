import ArgumentParser

/// The `sufra` command line: argument parsing only; the work lives in the Server module.
@main
struct Sufra: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sufra", abstract: "Multi-tenant WhatsApp ordering bot for restaurants.",
        subcommands: [
            Dev.self, Chat.self, Serve.self, Worker.self, Migrate.self, Tenant.self, User.self, Token.self,
            Secrets.self,
        ])
}

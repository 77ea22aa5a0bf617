import ArgumentParser
import Server

/// `sufra serve`: the HTTP server (webhooks, APIs, health, metrics), with the outbound sender unless
/// `--no-sender`.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP server (and the outbound sender unless --no-sender).")

    @Option(help: "Listen address (overrides HOST).") var host: String?
    @Option(help: "Listen port (overrides PORT).") var port: Int?
    @Flag(help: "Do not run the outbound sender in this process.") var noSender = false

    func run() async throws {
        var configuration = try loadConfiguration()
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        var options = SufraApplication.Options()
        options.runSender = !noSender
        let logger = makeLogger()
        if options.runSender {
            options.leaseSlot = await SufraApplication.leaseSlot(
                configuration: configuration, role: "serve", port: configuration.port, logger: logger)
        }
        try await reportingErrors {
            let app = try SufraApplication(configuration: configuration, options: options, logger: logger)
            try await SecretsCommands.requireDecryptableTokens(configuration: configuration, logger: logger)
            logger.info("sufra serving", metadata: ["config": "\(configuration)"])
            for warning in configuration.warnings { logger.warning("\(warning)") }
            try await app.application().runService()
        }
    }
}

import ArgumentParser
import Server

/// `sufra worker`: the outbound sender alone; run any number of them, on any number of hosts.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the outbound sender alone (no HTTP server); any number may share the queue.")

    func run() async throws {
        let configuration = try loadConfiguration()
        let logger = makeLogger()
        var options = SufraApplication.Options()
        options.leaseSlot = await SufraApplication.leaseSlot(
            configuration: configuration, role: "worker", logger: logger)
        try await reportingErrors {
            let app = try SufraApplication(configuration: configuration, options: options, logger: logger)
            try await SecretsCommands.requireDecryptableTokens(configuration: configuration, logger: logger)
            logger.info("sufra worker sending", metadata: ["config": "\(configuration)"])
            try await app.runWorker()
        }
    }
}

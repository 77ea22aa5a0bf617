import ArgumentParser
import Foundation
import Server
import SufraDev

/// `sufra dev`: local databases (when none are configured), migrations, a demo restaurant, the server with
/// the sender and a Twilio sandbox; prints the URLs and a dashboard token.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run everything for a first try on this machine (local databases, demo restaurant, sandbox).")

    @Option(help: "Listen port (overrides PORT).") var port: Int?

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        if let port { environment["PORT"] = String(port) }
        guard let root = DevEnvironment.projectRoot(from: FileManager.default.currentDirectoryPath) else {
            throw ValidationError("run sufra dev inside the project (scripts/services not found), or set DATABASE_URL")
        }
        let logger = makeLogger()
        try await reportingErrors {
            let configuration = try DevEnvironment.configuration(
                environment: environment, projectRoot: root, startServices: true)
            try await DevEnvironment.run(configuration: configuration, logger: logger)
        }
    }
}

import ArgumentParser
import Foundation
import Server
import SufraDev

/// `sufra chat`: talk to a restaurant's bot from the terminal (against `sufra dev`).
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Talk to a restaurant's bot as a customer (signed webhooks in, replies from the sandbox).")

    @Option(help: "Restaurant id.") var restaurant: String
    @Option(help: "The customer to play, as Twilio writes it.") var customer = "whatsapp:+966500000001"
    @Option(help: "The server's base URL.") var server = "http://127.0.0.1:8080"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = makeLogger()
        try await reportingErrors {
            let configuration: SufraConfiguration
            if let root = DevEnvironment.projectRoot(from: FileManager.default.currentDirectoryPath) {
                configuration = try DevEnvironment.configuration(
                    environment: environment, projectRoot: root, startServices: false)
            } else {
                configuration = try SufraConfiguration(environment: environment)
            }
            let session = try await ChatSession.connect(
                configuration: configuration, restaurantId: restaurant, server: server,
                publicURL: environment["PUBLIC_URL"], customer: customer,
                logger: logger)
            try await session.run()
        }
    }
}

import ArgumentParser
import Foundation
import Server

/// `sufra tenant add|list|pause|resume`: manage restaurants from the shell.
struct Tenant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage restaurants (same effects as the admin API).",
        subcommands: [Add.self, List.self, Pause.self, Resume.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a restaurant; prints it as JSON.")
        @Option(help: "Display name.") var name: String
        @Option(help: "WhatsApp number as Twilio's To, e.g. whatsapp:+14155238886.") var whatsappFrom: String
        @Option(help: "Twilio account SID.") var accountSid: String
        @Option(
            help: ArgumentHelp(
                "Twilio auth token (stored encrypted): '-' reads it from standard input; without the option, "
                    + "TWILIO_AUTH_TOKEN is used, so that the token need not appear in the process list."))
        var authToken: String?
        @Option(help: "Reply language: ar or en.") var language = "ar"
        @Option(help: "Outbound messages per minute.") var sendPerMinute: Int?
        @Option(help: "Inbound webhooks per minute.") var inboundPerMinute: Int?

        func run() async throws {
            let configuration = try loadConfiguration()
            try await reportingErrors {
                let authToken = try TenantCommands.authToken(
                    argument: authToken, environment: ProcessInfo.processInfo.environment,
                    standardInput: { readLine(strippingNewline: true) })
                print(
                    try await TenantCommands.add(
                        configuration: configuration, name: name, whatsappFrom: whatsappFrom, accountSid: accountSid,
                        authToken: authToken, language: language, sendPerMinute: sendPerMinute,
                        inboundPerMinute: inboundPerMinute, logger: makeLogger()))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List restaurants as JSON.")
        func run() async throws {
            let configuration = try loadConfiguration()
            try await reportingErrors {
                print(try await TenantCommands.list(configuration: configuration, logger: makeLogger()))
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a restaurant: nothing is sent to Twilio.")
        @Argument(help: "Restaurant id.") var id: String
        func run() async throws {
            let configuration = try loadConfiguration()
            try await reportingErrors {
                print(
                    try await TenantCommands.setPaused(
                        configuration: configuration, id: id, paused: true, logger: makeLogger()))
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused restaurant.")
        @Argument(help: "Restaurant id.") var id: String
        func run() async throws {
            let configuration = try loadConfiguration()
            try await reportingErrors {
                print(
                    try await TenantCommands.setPaused(
                        configuration: configuration, id: id, paused: false, logger: makeLogger()))
            }
        }
    }
}

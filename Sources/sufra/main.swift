import ArgumentParser
import Server

/// The `sufra` command line.
struct Sufra: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sufra", abstract: "Multi-tenant WhatsApp ordering bot for restaurants.")
}

await Sufra.main()

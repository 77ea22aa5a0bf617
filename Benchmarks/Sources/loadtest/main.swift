import ArgumentParser

/// The load harness: simulated customers against a running `sufra serve` (see BENCHMARKS.md).
struct LoadTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest", abstract: "Simulate concurrent WhatsApp customers against Sufra.")
}

await LoadTest.main()

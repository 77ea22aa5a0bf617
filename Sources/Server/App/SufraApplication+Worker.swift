import ServiceLifecycle
import UnixSignals

extension SufraApplication {
    /// `sufra worker`: the outbound sender alone (no HTTP, no bot), until SIGTERM/SIGINT.
    public func runWorker() async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: (options.leaseSlot.map { [$0] } ?? []) + [
                    postgres, redis, outcomes, directorySync, outbound,
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

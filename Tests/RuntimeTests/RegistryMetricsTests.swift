import MetricsTestKit
import Testing

@testable import Runtime

/// The registry records its live entities, activations, passivations and mailbox depths through the factory it
/// is given (not the global one), labelled with its name only.
@Suite(.timeLimit(.minutes(1))) struct RegistryMetricsTests {
    @Test func activationsPassivationsLiveEntitiesAndDepthsAreRecorded() async throws {
        let metrics = TestMetrics()
        let store = CounterStore()
        let registry = ActorRegistry<CounterEntity, ContinuousClock>(
            metrics: RegistryMetrics(registry: "test", factory: metrics)
        ) { key in
            CounterEntity(key: key, store: store, count: store.load(key))
        }
        let name = [("registry", "test")]
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await registry.run() }
            #expect(try await registry.ask("a", .increment) == 1)
            #expect(try await registry.ask("b", .increment) == 1)
            #expect(try await registry.ask("a", .increment) == 2)
            #expect(try metrics.expectMeter(RegistryMetrics.liveEntities, name).lastValue == 2)
            registry.beginShutdown()
            try await group.waitForAll()
        }
        #expect(try metrics.expectCounter(RegistryMetrics.activations, name).totalValue == 2)
        let shutdown = name + [("reason", "shutdown")]
        #expect(try metrics.expectCounter(RegistryMetrics.passivations, shutdown).totalValue == 2)
        #expect(try metrics.expectCounter(RegistryMetrics.passivations, name + [("reason", "idle")]).totalValue == 0)
        #expect(try metrics.expectMeter(RegistryMetrics.liveEntities, name).lastValue == 0)
        let depths = try metrics.expectRecorder(RegistryMetrics.mailboxDepth, name).values
        #expect(depths.count == 3)
        #expect(depths.allSatisfy { $0 >= 1 })
    }
}

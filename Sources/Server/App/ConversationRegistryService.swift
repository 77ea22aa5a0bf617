import Actors
import Runtime
import ServiceLifecycle

/// Runs the conversations' ``ActorRegistry`` with its types spelled out. The service group calls `run()` through
/// `any Service`, which would run the registry's consumer loop as unspecialized generic code (value witnesses and
/// metadata lookups on every message); called here, the release build specializes it for ``ConversationActor``.
struct ConversationRegistryService: Service {
    let registry: ActorRegistry<ConversationActor, ContinuousClock>

    func run() async throws {
        try await registry.run()
    }
}

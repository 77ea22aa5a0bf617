// Memory per resident ConversationActor: 10,000 conversations (10 restaurants × 1,000 customers), each taken
// through five messages of an order (`hello, 1, 2, 1 x2` and a status question) so it holds what a real one does
// between messages: its record (id, language, bot state with a cart, version, latest order) and its recent
// `MessageSid`s. The store and the ingest writer are in memory; the registry is the real one. Build in release:
// `swift run -c release --package-path Benchmarks -Xswiftc -cross-module-optimization ConversationMemory`.
import Actors
import Foundation
import Logging
import Runtime

/// The menu and the conversations' rows, in memory.
struct MemoryStore: ConversationStore {
    let items = [
        MenuItem(id: UUID().uuidString.lowercased(), nameAr: "شاورما دجاج", nameEn: "Chicken shawarma", price: 1500),
        MenuItem(id: UUID().uuidString.lowercased(), nameAr: "فلافل", nameEn: "Falafel", price: 900),
        MenuItem(id: UUID().uuidString.lowercased(), nameAr: "عصير برتقال", nameEn: "Orange juice", price: 700),
    ]

    func loadConversation(_ key: ConversationKey) async throws -> ConversationRecord? { nil }
    func menu(restaurantId: String) async throws -> [MenuItem] { items }
    func inboundMessage(id: String) async throws -> StoredInbound? { nil }
    func commit(_ step: BotStep) async throws -> BotStepResult { .alreadyHandled }
    func order(id: String, conversationId: String) async throws -> OrderSnapshot? { nil }
    func unhandledInbound(olderThanSeconds seconds: Int, limit: Int) async throws -> [UnhandledInbound] { [] }
}

/// Accepts every message with its step, as the group-commit writer does, with fresh ids like PostgreSQL's; the
/// first message of a conversation reports a confirmed order (the customer's previous one, now its latest).
struct MemoryIngest: InboundIngest {
    func ingest(
        _ message: InboundWebhook, step: DecidedStep?, deadline: ContinuousClock.Instant?
    ) async throws -> IngestOutcome {
        let first = step?.expectedVersion == 0
        let orders =
            first
            ? [
                OrderSnapshot(
                    id: UUID().uuidString.lowercased(), number: 41, type: .pickup, status: .confirmed, total: 3900)
            ]
            : []
        let receipt = StepReceipt(
            version: (step?.expectedVersion ?? 0) + 1, queuedMessageIds: [UUID().uuidString.lowercased()],
            orders: orders)
        return .accepted(
            IngestReceipt(
                messageId: UUID().uuidString.lowercased(), conversationId: conversationId(message), step: receipt))
    }

    func audit(_ message: InboundWebhook, outcome: String, deadline: ContinuousClock.Instant?) async throws {}

    /// The same id for every message of a conversation (a real one comes from its row).
    private func conversationId(_ message: InboundWebhook) -> String {
        let digits = String(message.from.suffix(8))
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: 4) + digits
    }
}

struct NoEvents: LiveEventPublishing {
    func publish(_ event: LiveEvent) {}
}

func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = statm.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// glibc's `malloc_trim(0)` and `malloc_stats()` (`<malloc.h>` is not in the Glibc module; looked up once).
let mallocTrim: (@convention(c) (Int) -> Int32)? = dlsym(nil, "malloc_trim").map {
    unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self)
}
let mallocStats: (@convention(c) () -> Void)? = dlsym(nil, "malloc_stats").map {
    unsafeBitCast($0, to: (@convention(c) () -> Void).self)
}

/// Waits until no consumer runs (every conversation idle), then returns freed memory to the system.
func idle(_ registry: ActorRegistry<ConversationActor, ContinuousClock>) async {
    while registry.runningConsumers > 0 { try? await Task.sleep(for: .milliseconds(10)) }
    try? await Task.sleep(for: .milliseconds(100))
    _ = mallocTrim?(0)
}

let restaurants = (0..<10).map { index in
    TenantConfig(
        id: UUID().uuidString.lowercased(), name: "Restaurant \(index)", whatsappFrom: "whatsapp:+96650000000\(index)",
        accountSid: "AC" + String(repeating: "0", count: 32), authToken: String(repeating: "a", count: 32))
}
let customersPerRestaurant = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 1_000
let script = ["hello", "1", "2", "1 x2", "2"]

nonisolated func runAll() async throws {
    let directory = TenantDirectory()
    directory.replaceAll(with: restaurants)
    let shared = ConversationActor.Shared(
        .init(
            store: MemoryStore(), ingest: MemoryIngest(), directory: directory, events: NoEvents(), now: { "" },
            logger: Logger(label: "bench")))
    let registry = ActorRegistry<ConversationActor, ContinuousClock>(
        configuration: RegistryConfiguration(maxEntities: 1_000_000, idleTimeout: .seconds(3600))
    ) { key in
        try await ConversationActor.activate(key, shared: shared)
    }
    log(
        "MemoryLayout sizes: ConversationActor \(MemoryLayout<ConversationActor>.size), ConversationRecord "
            + "\(MemoryLayout<ConversationRecord>.size), BotState \(MemoryLayout<BotState>.size), OrderSnapshot "
            + "\(MemoryLayout<OrderSnapshot>.size), ConversationKey \(MemoryLayout<ConversationKey>.size)")

    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await registry.run() }
        await idle(registry)
        mallocStats?()
        let before = residentBytes()
        let conversations = restaurants.count * customersPerRestaurant
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { producers in
            for producer in 0..<8 {
                producers.addTask {
                    var index = producer
                    while index < conversations {
                        let restaurant = restaurants[index % restaurants.count]
                        let customer = "whatsapp:+9665" + String(10_000_000 + index)
                        for (step, body) in script.enumerated() {
                            let sid = "SM" + String(format: "%016llx%016llx", UInt64(index), UInt64(step))
                            let webhook = InboundWebhook(
                                restaurantId: restaurant.id, messageSid: sid, from: customer,
                                to: restaurant.whatsappFrom, body: body, profileName: "Customer \(index)",
                                parameters: [("MessageSid", sid), ("From", customer), ("Body", body)])
                            let key = ConversationKey(restaurantId: restaurant.id, customer: customer)
                            _ = try await registry.ask(
                                key, .webhook(webhook, content: InboundContent(body: body), receivedAt: .now))
                        }
                        index += 8
                    }
                }
            }
            try await producers.waitForAll()
        }
        let elapsed = (ContinuousClock.now - start).seconds
        await idle(registry)
        let after = residentBytes()
        mallocStats?()
        log(
            String(
                format: "%d resident conversations (%d messages in %.2f s): RSS %.1f → %.1f MB, %d bytes RSS each "
                    + "(live: %d, consumer tasks: %d)", conversations, conversations * script.count, elapsed,
                Double(before) / 1e6, Double(after) / 1e6, (after - before) / conversations, registry.liveCount,
                registry.runningConsumers))
        registry.beginShutdown()
        try await group.waitForAll()
    }
}

try await runAll()

// Runtime micro-benchmarks: registry throughput (1 / 1,000 / 100,000 keys), activation cost, memory per idle live
// entity. Build in release: `swift run -c release RuntimeBenchmarks`.
import Foundation
import Runtime
import Synchronization

/// Counts handled messages; resumes the waiter when the target is reached.
final class Completion: Sendable {
    private let handled = Atomic<Int>(0)
    private let state = Mutex<(target: Int, waiter: CheckedContinuation<Void, Never>?)>((Int.max, nil))

    func tick() {
        let now = handled.add(1, ordering: .relaxed).newValue
        if now == state.withLock({ $0.target }) { state.withLock { $0.waiter.take() }?.resume() }
    }

    func wait(for target: Int) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if handled.load(ordering: .relaxed) >= target { return true }
                state = (target, continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    var count: Int { handled.load(ordering: .relaxed) }

    func reset() {
        handled.store(0, ordering: .relaxed)
        state.withLock { $0 = (Int.max, nil) }
    }
}

struct BenchEntity: KeyedEntity {
    typealias Key = Int
    let completion: Completion
    var count = 0

    mutating func handle(_ message: Int) async throws -> Int {
        count &+= message
        completion.tick()
        return count
    }
}

/// Unbuffered output (stdout is block-buffered when piped).
func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = statm.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func measure(_ label: String, messages: Int, _ body: () async throws -> Void) async rethrows {
    let start = ContinuousClock.now
    try await body()
    let elapsed = (ContinuousClock.now - start).seconds
    let rate = Double(messages) / elapsed
    log(String(format: "%-44@ %10.0f msg/s  (%d in %.3f s)", label as NSString, rate, messages, elapsed))
}

func send(
    _ registry: ActorRegistry<BenchEntity, ContinuousClock>, keys: Int, messages: Int, producers: Int,
    keyOffset: Int = 0
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for producer in 0..<producers {
            group.addTask {
                var index = producer
                while index < messages {
                    try await registry.tell(keyOffset + index % keys, 1, timeout: .seconds(30))
                    index += producers
                }
            }
        }
        try await group.waitForAll()
    }
}

nonisolated func runAll() async throws {
    let completion = Completion()
    let configuration = RegistryConfiguration(
        mailboxHighWatermark: 4096, maxEntities: 1_000_000, idleTimeout: .seconds(3600), maxBatch: 256)
    let registry = ActorRegistry<BenchEntity, ContinuousClock>(configuration: configuration) { _ in
        BenchEntity(completion: completion)
    }

    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await registry.run() }

        // Warm up.
        log("warm-up")
        try await send(registry, keys: 100, messages: 100_000, producers: 1, keyOffset: 10_000_000)
        log("sent \(completion.count)")
        await completion.wait(for: 100_000)
        log("warm")

        for (keys, messages, producers) in [(1, 2_000_000, 1), (1_000, 2_000_000, 2), (100_000, 2_000_000, 2)] {
            completion.reset()
            try await measure("registry \(keys) key(s), \(producers) producer(s)", messages: messages) {
                try await send(registry, keys: keys, messages: messages, producers: producers, keyOffset: keys * 10)
                await completion.wait(for: messages)
            }
        }

        // Activation cost and memory per idle live entity: 100,000 fresh keys, one message each, then all idle.
        completion.reset()
        let before = residentBytes()
        let fresh = 100_000
        let start = ContinuousClock.now
        try await send(registry, keys: fresh, messages: fresh, producers: 1, keyOffset: 20_000_000)
        await completion.wait(for: fresh)
        let activation = (ContinuousClock.now - start).seconds
        try await Task.sleep(for: .milliseconds(200))  // let every consumer park
        let after = residentBytes()
        log(String(format: "activation (spawn + factory + 1 msg)   %10.2f µs/entity", activation / Double(fresh) * 1e6))
        log("memory per idle live entity            \( (after - before) / fresh) bytes  (live: \(registry.liveCount))")

        registry.beginShutdown()
        try await group.waitForAll()
    }
}

try await runAll()

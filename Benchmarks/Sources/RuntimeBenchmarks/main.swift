// Runtime micro-benchmarks: registry throughput (1 / 1,000 / 100,000 keys), activation cost, memory per idle live
// entity. Build in release: `swift run -c release --package-path Benchmarks -Xswiftc -cross-module-optimization
// RuntimeBenchmarks [1] [1000] [100000] [memory]` (the phases to run; all by default). Each throughput line also
// gives the rate per CPU-second of the process (user + system), which moves less than wall-clock rates on a machine
// shared with other work.
import Foundation
import Runtime
import Synchronization

/// Counts handled messages; resumes the waiter when the target is reached. The handler's cost is one atomic
/// increment and one atomic load (the lock is taken only by the message that reaches the target).
final class Completion: Sendable {
    private let handled = Atomic<Int>(0)
    private let target = Atomic<Int>(.max)
    private let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)

    func tick() {
        let now = handled.add(1, ordering: .sequentiallyConsistent).newValue
        if now == target.load(ordering: .sequentiallyConsistent) { waiter.withLock { $0.take() }?.resume() }
    }

    func wait(for target: Int) async {
        await withCheckedContinuation { continuation in
            waiter.withLock { $0 = continuation }
            self.target.store(target, ordering: .sequentiallyConsistent)
            // Reached before the target was published: no tick will see it, so resume here (at most once).
            if handled.load(ordering: .sequentiallyConsistent) >= target { waiter.withLock { $0.take() }?.resume() }
        }
    }

    var count: Int { handled.load(ordering: .relaxed) }

    func reset() {
        handled.store(0, ordering: .relaxed)
        target.store(.max, ordering: .relaxed)
        waiter.withLock { $0 = nil }
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

/// glibc's `malloc_trim(0)`: returns freed heap pages to the system, so RSS counts what is live (`<malloc.h>` is not
/// in the Glibc module; looked up once).
let mallocTrim: (@convention(c) (Int) -> Int32)? = dlsym(nil, "malloc_trim").map {
    unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self)
}

/// CPU seconds (user + system) this process used so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

func measure(_ label: String, messages: Int, _ body: () async throws -> Void) async rethrows {
    let start = ContinuousClock.now
    let cpuStart = cpuSeconds()
    try await body()
    let elapsed = (ContinuousClock.now - start).seconds
    let cpu = cpuSeconds() - cpuStart
    let rate = Double(messages) / elapsed
    log(
        String(
            format: "%-44@ %10.0f msg/s  (%d in %.3f s; %.0f msg per CPU-s)", label as NSString, rate, messages,
            elapsed, Double(messages) / cpu))
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

/// Waits until no consumer task runs (every live key idle), then returns freed memory to the system.
func idle(_ registry: ActorRegistry<BenchEntity, ContinuousClock>) async {
    while registry.runningConsumers > 0 { try? await Task.sleep(for: .milliseconds(10)) }
    try? await Task.sleep(for: .milliseconds(100))
    _ = mallocTrim?(0)
}

/// Phases to run (`1`, `1000`, `100000`, `memory`); all when none is named.
let only = Set(CommandLine.arguments.dropFirst())

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

        for (keys, messages, producers) in [(1, 2_000_000, 1), (1_000, 2_000_000, 2), (100_000, 2_000_000, 2)]
        where only.isEmpty || only.contains(String(keys)) {
            completion.reset()
            try await measure("registry \(keys) key(s), \(producers) producer(s)", messages: messages) {
                try await send(registry, keys: keys, messages: messages, producers: producers, keyOffset: keys * 10)
                await completion.wait(for: messages)
            }
        }

        // Activation cost and memory per idle live entity: 100,000 fresh keys, one message each, then all idle.
        // RSS is read once no consumer runs, after `malloc_trim` (freed task memory returned to the system).
        guard only.isEmpty || only.contains("memory") else {
            registry.beginShutdown()
            try await group.waitForAll()
            return
        }
        completion.reset()
        await idle(registry)
        let rssBefore = residentBytes()
        let fresh = 100_000
        let start = ContinuousClock.now
        try await send(registry, keys: fresh, messages: fresh, producers: 1, keyOffset: 20_000_000)
        await completion.wait(for: fresh)
        let activation = (ContinuousClock.now - start).seconds
        await idle(registry)
        let rssAfter = residentBytes()
        log(String(format: "activation (spawn + factory + 1 msg)   %10.2f µs/entity", activation / Double(fresh) * 1e6))
        log(
            "memory per idle live entity            \((rssAfter - rssBefore) / fresh) bytes RSS  "
                + "(live: \(registry.liveCount), consumer tasks: \(registry.runningConsumers))")

        registry.beginShutdown()
        try await group.waitForAll()
    }
}

try await runAll()

import Synchronization
import Testing

@testable import Runtime

/// Continuations waiting for something, each resumed when it happens, at its deadline, or when its task is
/// cancelled (a suite's time limit), so a test whose feature broke fails instead of hanging.
final class DeadlineWaiters: Sendable {
    private struct State {
        var nextID = 0
        var waiting: [Int: (ready: @Sendable () -> Bool, continuation: CheckedContinuation<Void, Never>)] = [:]
        var released: Set<Int> = []
    }

    private let state = Mutex(State())

    /// Suspends until `ready()` holds (checked now and on every ``wake()``) or `timeout` passes; returns whether
    /// it held. `ready` is called under this object's lock: keep it a cheap read.
    func wait(timeout: Duration, until ready: @escaping @Sendable () -> Bool) async -> Bool {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state -> Bool in
                        if state.released.remove(id) != nil || ready() { return true }
                        state.waiting[id] = (ready, continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.release(id)
            }
            await group.next()
            group.cancelAll()
        }
        state.withLock { _ = $0.released.remove(id) }
        return ready()
    }

    /// Resumes every waiter whose condition now holds.
    func wake() {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let due = state.waiting.filter { $0.value.ready() }
            for id in due.keys { state.waiting[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    private func release(_ id: Int) {
        let continuation = state.withLock { state in
            guard let waiter = state.waiting.removeValue(forKey: id) else {
                state.released.insert(id)
                return CheckedContinuation<Void, Never>?.none
            }
            return waiter.continuation
        }
        continuation?.resume()
    }
}

/// A one-shot gate: `wait()` suspends until `open()` (failing the test after `timeout`).
final class Gate: Sendable {
    private let isOpen = Mutex(false)
    private let waiters = DeadlineWaiters()

    func wait(timeout: Duration = .seconds(30)) async {
        let opened = await waiters.wait(timeout: timeout) { self.isOpen.withLock { $0 } }
        if !opened { Issue.record("gate not opened within \(timeout)") }
    }

    func open() {
        isOpen.withLock { $0 = true }
        waiters.wake()
    }
}

/// A thread-safe log of events with "wait until there are n" (no sleeping in tests; failing after `timeout`).
final class Journal<Event: Sendable>: Sendable {
    private let state = Mutex<[Event]>([])
    private let waiters = DeadlineWaiters()

    var events: [Event] { state.withLock { $0 } }

    func append(_ event: Event) {
        state.withLock { $0.append(event) }
        waiters.wake()
    }

    func waitForCount(_ count: Int, timeout: Duration = .seconds(30)) async {
        let reached = await waiters.wait(timeout: timeout) { self.state.withLock { $0.count } >= count }
        if !reached { Issue.record("\(count) events not recorded within \(timeout) (have \(events.count))") }
    }
}

/// What survives passivation: the "database" the factory loads from and `onPassivate` saves to.
final class CounterStore: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    let activations = Journal<String>()
    let passivations = Journal<(String, PassivationReason)>()

    func load(_ key: String) -> Int {
        activations.append(key)
        return counts.withLock { $0[key, default: 0] }
    }

    func save(_ key: String, _ value: Int) { counts.withLock { $0[key] = value } }
}

struct TestFailure: Error, Equatable {
    var reason: String
}

/// An entity counting its messages; its behaviour is steered by the message.
struct CounterEntity: KeyedEntity {
    typealias Key = String

    enum Message: Sendable {
        case increment
        case record(producer: Int, sequence: Int, journal: Journal<(String, Int, Int)>)
        case waitFor(Gate)
        case fail
        case breakDown
    }

    let key: String
    let store: CounterStore
    var count: Int
    var passivationGate: Gate?

    mutating func handle(_ message: Message) async throws -> Int {
        switch message {
        case .increment:
            count += 1
        case .record(let producer, let sequence, let journal):
            count += 1
            journal.append((key, producer, sequence))
        case .waitFor(let gate):
            await gate.wait()
            count += 1
        case .fail:
            throw TestFailure(reason: "handler failed")
        case .breakDown:
            throw BrokenEntityError(TestFailure(reason: "broken"))
        }
        return count
    }

    mutating func onPassivate(reason: PassivationReason) async {
        if let passivationGate { await passivationGate.wait() }
        store.save(key, count)
        store.passivations.append((key, reason))
    }
}

/// Records a test failure; returns `Void` so a `guard … else { return failed("…") }` reads in one line.
func failed(_ comment: Comment = "", sourceLocation: SourceLocation = #_sourceLocation) {
    Issue.record(comment, sourceLocation: sourceLocation)
}

/// Runs `registry` for the length of `body`, then shuts it down gracefully and waits for it to finish.
func running<C: Clock<Duration>>(
    _ registry: ActorRegistry<CounterEntity, C>, _ body: () async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await registry.run() }
        try await body()
        registry.beginShutdown()
        try await group.waitForAll()
    }
}

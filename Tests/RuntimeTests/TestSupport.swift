import Synchronization
import Testing

@testable import Runtime

/// A one-shot gate: `wait()` suspends until `open()`.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// A thread-safe log of events with "wait until there are n" (no sleeping in tests).
final class Journal<Event: Sendable>: Sendable {
    private let state = Mutex<(events: [Event], waiters: [(Int, CheckedContinuation<Void, Never>)])>(([], []))

    var events: [Event] { state.withLock { $0.events } }

    func append(_ event: Event) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.events.append(event)
            let count = state.events.count
            var ready: [CheckedContinuation<Void, Never>] = []
            state.waiters.removeAll { waiter in
                guard waiter.0 <= count else { return false }
                ready.append(waiter.1)
                return true
            }
            return ready
        }
        for waiter in ready { waiter.resume() }
    }

    func waitForCount(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.events.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if done { continuation.resume() }
        }
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

import Actors
import Foundation
import HummingbirdTesting
import HummingbirdWSTesting
import Synchronization
import Testing

@testable import Server

/// WebSocket fan-out numbers, not assertions: `SUFRA_WS_BENCH=1 [SUFRA_WS_CONNECTIONS=2000] swift test -c release
/// --filter LiveFanOutBenchmark`. Holds N sockets of one restaurant, publishes events through Redis, and reports the
/// publish-to-receive latency over every (event, socket) pair.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SUFRA_WS_BENCH"] == "1"), .timeLimit(.minutes(15)))
struct LiveFanOutBenchmarkTests {
    @Test func fanOutLatency() async throws {
        let connections = Int(ProcessInfo.processInfo.environment["SUFRA_WS_CONNECTIONS"] ?? "") ?? 1000
        let events = 20
        try await SufraTestApp.run { _, client, sufra in
            let restaurant = try await client.createRestaurant()
            let token = try await StaffAuth.token(restaurant.id)
            let log = LatencyLog(events: events)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<connections {
                    group.addTask {
                        try await client.ws("/ws?token=\(token)") { inbound, _, _ in
                            var received = 0
                            for try await message in inbound.messages(maxSize: 1 << 16) {
                                guard case .text(let text) = message, let sequence = Self.sequence(in: text) else {
                                    continue
                                }
                                log.received(sequence)
                                received += 1
                                if received == events { break }
                            }
                        }
                    }
                }
                let clock = ContinuousClock()
                let start = clock.now
                try await eventually(timeout: .seconds(120), "all sockets attached") {
                    sufra.liveHub.socketCount == connections && sufra.liveHub.isSubscribed(restaurantId: restaurant.id)
                }
                let attach = clock.now - start
                for sequence in 0..<events {
                    log.published(sequence)
                    await sufra.events.publish(
                        LiveEvent(
                            kind: .orderUpdated, restaurantId: restaurant.id, at: ISO8601.now(),
                            dataJSON: "{\"seq\":\(sequence)}"))
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await group.waitForAll()
                let latencies = log.latencies.sorted()
                let p50 = latencies[latencies.count / 2]
                let p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
                print(
                    "ws fan-out: \(connections) sockets held (attached in \(attach)), \(events) events, "
                        + "\(latencies.count) deliveries, p50 \(p50), p99 \(p99), max \(latencies.last ?? .zero), "
                        + "dropped \(sufra.liveHub.droppedCount)")
                #expect(latencies.count == connections * events)
            }
        }
    }

    static func sequence(in text: String) -> Int? {
        guard let range = text.range(of: "\"seq\":") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}

/// Publish and receive instants per event.
final class LatencyLog: Sendable {
    private struct State {
        var published: [ContinuousClock.Instant?]
        var latencies: [Duration] = []
    }

    private let state: Mutex<State>

    init(events: Int) {
        state = Mutex(State(published: Array(repeating: nil, count: events)))
    }

    var latencies: [Duration] { state.withLock { $0.latencies } }

    func published(_ sequence: Int) { state.withLock { $0.published[sequence] = .now } }

    func received(_ sequence: Int) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard sequence < state.published.count, let sent = state.published[sequence] else { return }
            state.latencies.append(now - sent)
        }
    }
}

import Foundation
import Synchronization

/// What the fan-out scenario's dashboards heard. Each socket records every frame from its own task: the
/// `message.received` events are the measured ones — how long after the server published each (its `at`, same
/// machine's clock) every socket had it, and whether every socket of the restaurant got it — and any frame of
/// another restaurant is counted as a leak. A socket counts as attached (the server's hub took it) once it heard a
/// frame: the warm-up sends one to every restaurant. A refused socket is closed by the server with `1013` right
/// after its `101`, and HummingbirdWSClient misses a close that arrives that early (the socket sits in CLOSE-WAIT),
/// so the client cannot tell every refusal; the server's `sufra_websocket_refused_total` does. The lock covers a
/// dictionary update and a histogram record.
final class FanOutRecorder: Sendable {
    private struct State {
        var connected: [Bool]
        var refused: [Bool]
        var failures: [String: Int] = [:]
        var measuring = false
        var latency = LatencyHistogram()
        var frames = 0
        var foreignFrames = 0
        var unreadableFrames = 0
        /// `message.received` deliveries per socket while measuring.
        var heard: [Int]
        /// Sockets that heard anything at all (the warm-up waits for all of them).
        var heardAnything: [Bool]
        /// The measured events' sids.
        var events: Set<String> = []
    }

    /// The restaurants' ids; socket `i` watches restaurant `i % restaurantIds.count`.
    let restaurantIds: [String]
    private let state: Mutex<State>

    /// A recorder for `sockets` dashboards spread round-robin over `restaurantIds`.
    init(sockets: Int, restaurantIds: [String]) {
        self.restaurantIds = restaurantIds
        state = Mutex(
            State(
                connected: Array(repeating: false, count: sockets), refused: Array(repeating: false, count: sockets),
                heard: Array(repeating: 0, count: sockets),
                heardAnything: Array(repeating: false, count: sockets)))
    }

    /// The restaurant index socket `socket` watches.
    func restaurant(of socket: Int) -> Int { socket % restaurantIds.count }

    /// Socket `socket` completed its upgrade.
    func connected(_ socket: Int) {
        state.withLock { $0.connected[socket] = true }
    }

    /// Socket `socket` was closed by the server at once with `1013` (a limit), and its client saw the close.
    func refused(_ socket: Int) {
        state.withLock { $0.refused[socket] = true }
    }

    /// Whether socket `socket` completed its upgrade.
    func isConnected(_ socket: Int) -> Bool {
        state.withLock { $0.connected[socket] }
    }

    /// Socket `socket` could not connect, or its connection failed (`reason` is counted).
    func failed(_ socket: Int, reason: String) {
        state.withLock { $0.failures[reason, default: 0] += 1 }
    }

    /// Socket `socket` heard `text` at `receivedAt` (seconds since 1970).
    func heard(_ text: String, socket: Int, receivedAt: Double) {
        let frame = DashboardFrame(text)
        let restaurant = restaurant(of: socket)
        state.withLock { state in
            state.frames += 1
            state.heardAnything[socket] = true
            guard let frame else {
                state.unreadableFrames += 1
                return
            }
            guard frame.restaurantId == restaurantIds[restaurant] else {
                state.foreignFrames += 1
                return
            }
            guard state.measuring, let sid = frame.sid, let publishedAt = frame.publishedAt else { return }
            state.heard[socket] += 1
            state.events.insert(sid)
            state.latency.record(.milliseconds(max(0, (receivedAt - publishedAt) * 1000)))
        }
    }

    /// Sockets that heard at least one frame: the ones the server took.
    var attached: Int { state.withLock { $0.heardAnything.filter { $0 }.count } }

    /// From now on `message.received` events are measured (the warm-up's are not).
    func startMeasuring() {
        state.withLock { $0.measuring = true }
    }

    /// `message.received` deliveries so far while measuring.
    var deliveries: Int { state.withLock { $0.heard.reduce(0, +) } }

    /// The deliveries owed when each restaurant (by index) had `acknowledged` messages answered 200 while measuring:
    /// each one's event to every attached socket of its restaurant.
    func expectedDeliveries(acknowledged: [Int]) -> Int {
        state.withLock { state in
            state.heardAnything.indices.filter { state.heardAnything[$0] }.map { acknowledged[restaurant(of: $0)] }
                .reduce(0, +)
        }
    }

    /// The summary after the load, when each restaurant (by index) had `acknowledged` messages answered 200 while
    /// measuring and the server's limits allow `admitted` sockets.
    func report(connectSeconds: Double, acknowledged: [Int], admitted: Int) -> FanOutReport {
        let expected = expectedDeliveries(acknowledged: acknowledged)
        return state.withLock { state in
            let short = state.connected.indices.filter { socket in
                state.heardAnything[socket] && state.heard[socket] < acknowledged[restaurant(of: socket)]
            }.count
            return FanOutReport(
                sockets: state.connected.count, connected: state.connected.filter { $0 }.count,
                refused: state.refused.filter { $0 }.count, attached: state.heardAnything.filter { $0 }.count,
                admitted: admitted,
                restaurants: restaurantIds.count, connectSeconds: connectSeconds, failures: state.failures,
                events: state.events.count, acknowledged: acknowledged.reduce(0, +),
                deliveries: state.heard.reduce(0, +), expectedDeliveries: expected,
                socketsMissingEvents: short, frames: state.frames, foreignFrames: state.foreignFrames,
                unreadableFrames: state.unreadableFrames, latency: state.latency.summary)
        }
    }
}

import Foundation
import HummingbirdWSClient
import Logging

/// The fan-out scenario's dashboards: `count` WebSockets (`GET /ws?token=…`, each restaurant's staff token) spread
/// round-robin over the restaurants, opened at most `openAtOnce` at a time (ten thousand connects at once would
/// overflow the server's accept backlog), each giving every frame it hears to a ``FanOutRecorder`` until the work
/// given to ``whileOpen(_:)`` returns; then they are closed. A socket the server closes at once with `1013` (past its
/// dashboards-per-restaurant or per-process limit) is recorded as refused.
struct DashboardSockets: Sendable {
    /// `ws://127.0.0.1:<port>`.
    var baseURL: String
    /// The staff token of each restaurant, in the recorder's order.
    var tokens: [String]
    var count: Int
    var recorder: FanOutRecorder
    var openAtOnce = 200
    var logger: Logger

    /// Opens the sockets, runs `work` while they are open, and closes them; returns `work`'s value and the
    /// seconds it took to open them all (failures included: the recorder counts them).
    func whileOpen<Value: Sendable>(_ work: @Sendable () async -> Value) async -> (value: Value, connectSeconds: Double)
    {
        let started = ContinuousClock.now
        // Each socket says once whether it opened, which lets the next one start.
        let (settled, settle) = AsyncStream.makeStream(of: Void.self)
        return await withTaskGroup(of: Void.self) { group in
            var openings = settled.makeAsyncIterator()
            for socket in 0..<count {
                if socket >= openAtOnce { await openings.next() }
                group.addTask { await run(socket, settle: settle) }
            }
            for _ in 0..<min(count, openAtOnce) { await openings.next() }
            let connectSeconds = Self.seconds(ContinuousClock.now - started)
            let value = await work()
            group.cancelAll()
            return (value, connectSeconds)
        }
    }

    /// One dashboard, until its task is cancelled or the server closes it.
    private func run(_ socket: Int, settle: AsyncStream<Void>.Continuation) async {
        let url = "\(baseURL)/ws?token=\(tokens[recorder.restaurant(of: socket)])"
        var configuration = WebSocketClientConfiguration()
        configuration.closeTimeout = .seconds(2)
        do {
            let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                inbound, _, _ in
                recorder.connected(socket)
                settle.yield()
                for try await frame in inbound where frame.opcode == .text {
                    recorder.heard(
                        String(buffer: frame.data), socket: socket, receivedAt: Date().timeIntervalSince1970)
                }
            }
            // The server closed it: at a limit (1013, try again later) or for another reason, which is a failure.
            if !Task.isCancelled {
                if close?.closeCode == .unknown(1013) {
                    recorder.refused(socket)
                } else {
                    recorder.failed(socket, reason: "closed by the server: \(close?.reason ?? "no reason")")
                }
            }
        } catch {
            if !Task.isCancelled { recorder.failed(socket, reason: "\(error)") }
        }
        if !recorder.isConnected(socket) { settle.yield() }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

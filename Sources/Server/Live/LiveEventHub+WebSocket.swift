import Foundation
import HummingbirdWebSocket

extension LiveEventHub {
    /// Serves one dashboard WebSocket of `restaurantId`: writes every event of the restaurant as a text frame
    /// until the client closes, the socket is dropped as too slow (then it is closed with `1001 going away`,
    /// and the dashboard reconnects), or the token it was opened with expires at `expiresAt` (closed with
    /// `1008 policy violation`, reason `token expired`: the dashboard must reconnect with a fresh token).
    /// Client frames are read and ignored; pings are answered by the library.
    func serve(
        restaurantId: String, expiresAt: Date, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async {
        guard let feed = attach(restaurantId: restaurantId) else { return }
        defer { detach(feed) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in feed.frames {
                    do {
                        try await outbound.write(.text(frame))
                    } catch {
                        return
                    }
                }
                try? await outbound.close(.goingAway, reason: "dropped")
            }
            group.addTask {
                do {
                    for try await _ in inbound {}
                } catch {
                    return
                }
            }
            group.addTask {
                let remaining = expiresAt.timeIntervalSinceNow
                if remaining > 0 {
                    do {
                        try await Task.sleep(for: .milliseconds(Int64(remaining * 1000)))
                    } catch {
                        return  // the socket ended first
                    }
                }
                try? await outbound.close(.policyViolation, reason: "token expired")
            }
            await group.next()
            group.cancelAll()
        }
    }
}

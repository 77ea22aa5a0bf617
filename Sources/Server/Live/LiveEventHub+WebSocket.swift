import Foundation
import HummingbirdWebSocket
import NIOWebSocket

extension LiveEventHub {
    /// Serves one dashboard WebSocket of `restaurantId`: writes every event of the restaurant as a text frame
    /// until the client closes, the socket is dropped as too slow (then it is closed with `1001 going away`,
    /// and the dashboard reconnects), or the token it was opened with expires at `expiresAt` (closed with
    /// `1008 policy violation`, reason `token expired`: the dashboard must reconnect with a fresh token).
    /// A socket past the hub's limits is closed at once with `1013` (``LiveSocketRefusal``).
    /// Client frames are read and ignored; pings are answered by the library.
    ///
    /// The socket's own task writes; one child task reads (a client that leaves detaches the feed, which ends the
    /// writing). Ten thousand dashboards are ten thousand of these, so nothing else waits per socket: the hub's
    /// sweep ends expired feeds.
    func serve(
        restaurantId: String, expiresAt: Date, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async {
        let feed: LiveFeed
        do {
            feed = try attach(restaurantId: restaurantId, expiresAt: expiresAt)
        } catch {
            try? await outbound.close(error.closeCode, reason: error.closeReason)
            return
        }
        await withDiscardingTaskGroup { group in
            group.addTask {
                do {
                    for try await _ in inbound {}
                } catch {}
                self.detach(feed)
            }
            for await frame in feed.frames {
                do {
                    try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame)))
                } catch {
                    break
                }
            }
            switch feed.ending.end {
            case .tooSlow: try? await outbound.close(.goingAway, reason: "dropped")
            case .shutdown: try? await outbound.close(.goingAway, reason: "shutting down")
            case .tokenExpired: try? await outbound.close(.policyViolation, reason: "token expired")
            case .detached, nil: break
            }
            detach(feed)
            group.cancelAll()
        }
    }
}

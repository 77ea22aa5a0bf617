import HummingbirdWebSocket

extension LiveEventHub {
    /// Serves one dashboard WebSocket of `restaurantId`: writes every event of the restaurant as a text frame
    /// until the client closes or the socket is dropped as too slow (then it is closed with `1001 going away`,
    /// and the dashboard reconnects). Client frames are read and ignored; pings are answered by the library.
    func serve(restaurantId: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
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
            await group.next()
            group.cancelAll()
        }
    }
}

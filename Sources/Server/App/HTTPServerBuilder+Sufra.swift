import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

extension HTTPServerBuilder {
    /// HTTP/1 with the WebSocket upgrade, behind a ``RequestHeadDeadlineHandler``: a connection must deliver its
    /// first request head within `idleTimeout`, and is closed after `idleTimeout` without traffic from then on
    /// (Hummingbird's idle timeout, set in `configuration`).
    static func sufra(
        configuration: HTTP1WebSocketUpgradeChannel.Configuration, idleTimeout: TimeAmount,
        shouldUpgrade:
            @escaping @Sendable (HTTPRequest, any Channel, Logger) async throws -> ShouldUpgradeResult<
                WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>
            >
    ) -> HTTPServerBuilder {
        var http1 = configuration.http1
        http1.idleTimeout = idleTimeout
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(http1: http1, ws: configuration.ws)
        return HTTPServerBuilder { [configuration] responder in
            RequestHeadDeadlineChannel(
                base: HTTP1WebSocketUpgradeChannel(
                    responder: responder, configuration: configuration, shouldUpgrade: shouldUpgrade),
                deadline: idleTimeout)
        }
    }
}

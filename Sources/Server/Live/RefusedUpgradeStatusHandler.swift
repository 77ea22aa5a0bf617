import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Makes a refused dashboard WebSocket handshake answer **401** (docs/http-api.md) instead of the 400 that
/// hummingbird-websocket writes for every refused upgrade.
///
/// It sits on the HTTP/1 pipeline (after the codec) of connections that were not upgraded. The library answers a
/// refused upgrade before the request reaches this handler, with a bodiless `400` and `Connection: close`; the
/// only upgrades this server refuses are those whose token failed authentication (`/ws` is the only WebSocket
/// route), so that answer, written before any request went through, becomes `401` with
/// `WWW-Authenticate: Bearer`. Every response to a request that went through passes untouched.
final class RefusedUpgradeStatusHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var sawRequest = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { sawRequest = true }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !sawRequest, case .head(var head) = unwrapOutboundIn(data), head.status == .badRequest,
            head.headerFields[.contentLength] == "0", head.headerFields[.connection] == "close"
        else {
            context.write(data, promise: promise)
            return
        }
        head.status = .unauthorized
        head.headerFields[.wwwAuthenticate] = "Bearer"
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}

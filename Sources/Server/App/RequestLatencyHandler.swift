import NIOCore
import NIOHTTPTypes

/// Times each request at its connection, from its head decoded to its response's end written, into
/// ``RequestLatencyMetrics`` (`sufra_http_request_duration_seconds`).
///
/// It sits right after HTTP decoding. HTTP/1.1 answers in request order, so the start times wait in arrival order
/// (a pipelining client may send several heads before the first answer) and each response's end takes the oldest.
/// Per request: two clock reads and one histogram record on the connection's event loop, no task or hop.
final class RequestLatencyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let metrics: RequestLatencyMetrics
    /// Requests whose head arrived and whose response has not ended, oldest first.
    private var started: [(at: NIODeadline, route: RequestLatencyMetrics.Route)] = []

    init(metrics: RequestLatencyMetrics) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            started.append((.now(), RequestLatencyMetrics.route(of: head)))
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), !started.isEmpty {
            let request = started.removeFirst()
            metrics.record(request.route, nanoseconds: (NIODeadline.now() - request.at).nanoseconds)
        }
        context.write(data, promise: promise)
    }
}

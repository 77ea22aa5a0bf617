import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers 408 and closes the connection when a request's body has not fully arrived within `deadline` of its head
/// (a client trickling its body a byte at a time: the idle timeout alone would let it hold the connection, and the
/// handler waiting for the body, for hours).
///
/// It sits after HTTP decoding. A request whose head and end arrive in the same read (a webhook's few hundred bytes
/// nearly always do) costs nothing; otherwise one timer on the connection's event loop is armed when the read
/// completes, for the deadline counted from the head, and cancelled at the end — no task or thread hop either way.
final class RequestBodyDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long a request body may take (64 KiB arrive in milliseconds).
    static let defaultDeadline: TimeAmount = .seconds(10)

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?
    /// When the current request's head arrived, while its end has not.
    private var headArrived: NIODeadline?
    /// True once the application started answering the current request.
    private var answering = false

    init(deadline: TimeAmount = defaultDeadline) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            answering = false
            disarm()
            headArrived = .now()
        case .body:
            break
        case .end:
            headArrived = nil
            disarm()
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let headArrived, timer == nil { arm(context, until: headArrived + deadline) }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head = unwrapOutboundIn(data) { answering = true }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    private func arm(_ context: ChannelHandlerContext, until expiry: NIODeadline) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: expiry) {
            handler.value.expire(loopBound.value)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }

    private func expire(_ context: ChannelHandlerContext) {
        timer = nil
        headArrived = nil
        guard !answering else {
            context.close(promise: nil)
            return
        }
        answering = true
        let text = "request body not received within \(deadline.nanoseconds / 1_000_000_000) s\n"
        let head = HTTPResponse(
            status: .requestTimeout,
            headerFields: [
                .contentType: "text/plain; charset=utf-8", .contentLength: String(text.utf8.count),
                .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(string: text))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }
}

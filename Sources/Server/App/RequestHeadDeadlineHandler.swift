import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Closes a connection whose first request head has not fully arrived within `deadline` of connecting (a
/// slowloris sending its headers a byte at a time, or a client that connects and says nothing).
///
/// It sits first in the pipeline and sees raw bytes: it only looks for the blank line (`CRLF CRLF`) ending the
/// head, then lets everything through untouched. Hummingbird's own idle timeout (`HTTP_IDLE_TIMEOUT_SECONDS`)
/// covers the connection after that, but is only installed once the WebSocket upgrade handler has seen the
/// first head, hence this handler.
final class RequestHeadDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private static let headEnd: [UInt8] = [13, 10, 13, 10]
    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?
    /// The last bytes seen (at most three), so a `CRLF CRLF` split across reads is found.
    private var tail: [UInt8] = []
    private var headArrived = false

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !headArrived {
            let buffer = unwrapInboundIn(data)
            let bytes = tail + buffer.readableBytesView
            if Self.contains(Self.headEnd, in: bytes) {
                headArrived = true
                timer?.cancel()
                timer = nil
                tail = []
            } else {
                tail = Array(bytes.suffix(3))
            }
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func startTimer(_ context: ChannelHandlerContext) {
        guard timer == nil, !headArrived else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: deadline) {
            loopBound.value.close(promise: nil)
        }
    }

    private static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}

/// A ``ServerChildChannel`` that puts a ``RequestHeadDeadlineHandler`` in front of another child channel's
/// pipeline (Sufra wraps Hummingbird's HTTP/1 + WebSocket upgrade channel with it).
struct RequestHeadDeadlineChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let deadline: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                RequestHeadDeadlineHandler(deadline: deadline), position: .first)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

import NIOCore
import NIOHTTP1

/// One request on a ``KeepAliveHTTPClient`` connection: what to write and the promise its answer completes.
struct KeepAliveExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer
    /// Time left for the answer once the request is written.
    var timeout: TimeAmount
    var promise: EventLoopPromise<KeepAliveHTTPClient.Response>
}

/// The channel handler of a ``KeepAliveHTTPClient`` connection: writes one exchange at a time and completes its
/// promise with the answer, or fails it when the connection closes, errs or the answer is late (then the
/// connection is closed, so a late answer can never be read as the next request's).
final class KeepAliveExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = KeepAliveExchange
    typealias OutboundOut = HTTPClientRequestPart

    private var promise: EventLoopPromise<KeepAliveHTTPClient.Response>?
    private var deadline: Scheduled<Void>?
    private var status = 0
    private var keepAlive = true
    private var body: [UInt8] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise writePromise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard promise == nil else {
            exchange.promise.fail(KeepAliveHTTPClient.Failure.busy)
            return
        }
        promise = exchange.promise
        status = 0
        keepAlive = true
        body.removeAll(keepingCapacity: true)
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: exchange.timeout) {
            self.fail(KeepAliveHTTPClient.Failure.timedOut, context: context)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if exchange.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: writePromise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            keepAlive = head.isKeepAlive
        case .body(var buffer):
            buffer.readWithUnsafeReadableBytes { bytes in
                body.append(contentsOf: bytes)
                return bytes.count
            }
        case .end:
            guard let promise else { return }
            self.promise = nil
            deadline?.cancel()
            deadline = nil
            let response = KeepAliveHTTPClient.Response(status: status, body: body, keepAlive: keepAlive)
            if !keepAlive { context.close(promise: nil) }
            promise.succeed(response)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(KeepAliveHTTPClient.Failure.connectionClosed, context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(KeepAliveHTTPClient.Failure.connectionClosed, context: context)
    }

    /// Fails the exchange in flight, if any, and closes the connection.
    private func fail(_ failure: KeepAliveHTTPClient.Failure, context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if let promise {
            self.promise = nil
            promise.fail(failure)
        }
        context.close(promise: nil)
    }
}

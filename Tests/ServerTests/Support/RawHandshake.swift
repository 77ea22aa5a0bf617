import NIOCore
import NIOPosix

/// Sends a WebSocket upgrade request on a fresh TCP connection and returns the HTTP status the server answered
/// (the test client reuses connections, and the server redirects an upgrade that arrives on a reused one).
enum RawHandshake {
    static func status(port: Int, path: String) async throws -> Int {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var received = ""
            for try await buffer in inbound {
                received += String(buffer: buffer)
                if let line = received.split(separator: "\r\n").first, received.contains("\r\n") {
                    let parts = line.split(separator: " ")
                    guard parts.count >= 2, let status = Int(parts[1]) else { throw TestFailure("bad status line") }
                    return status
                }
            }
            throw TestFailure("connection closed without a response")
        }
    }
}

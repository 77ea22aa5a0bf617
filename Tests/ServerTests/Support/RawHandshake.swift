import NIOCore
import NIOPosix

/// A WebSocket upgrade request on a fresh TCP connection, read byte by byte: the HTTP status the server answered, or
/// the close frame it sent right after accepting (the test client reuses connections, and the server redirects an
/// upgrade that arrives on a reused one; nor can its WebSocket client be trusted to report a close frame that
/// arrives together with the `101`: it sometimes missed it and waited forever).
enum RawHandshake {
    /// The status of the server's answer to an upgrade of `path`.
    static func status(port: Int, path: String) async throws -> Int {
        try await exchange(port: port, path: path) { bytes in
            let received = String(decoding: bytes, as: UTF8.self)
            guard let line = received.split(separator: "\r\n").first, received.contains("\r\n") else { return nil }
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { throw TestFailure("bad status line") }
            return status
        }
    }

    /// The code and reason of the close frame the server sent after upgrading `path` (a refused dashboard's view).
    static func closeFrame(port: Int, path: String) async throws -> (code: UInt16, reason: String) {
        try await exchange(port: port, path: path) { bytes in
            // The head ends with a blank line; the frame follows it.
            guard let end = bytes.firstRange(of: [13, 10, 13, 10])?.upperBound else { return nil }
            let head = String(decoding: bytes[..<end], as: UTF8.self)
            guard head.hasPrefix("HTTP/1.1 101") else { throw TestFailure("not upgraded: \(head)") }
            let frame = bytes[end...]
            // A server's close frame: FIN and opcode 8, unmasked, a payload under 126 bytes (code + reason).
            guard frame.count >= 2 else { return nil }
            let start = frame.startIndex
            guard frame[start] == 0x88, frame[start + 1] < 126 else { throw TestFailure("not a close frame") }
            let length = Int(frame[start + 1])
            guard frame.count >= 2 + length else { return nil }
            guard length >= 2 else { throw TestFailure("a close frame without a code") }
            let code = UInt16(frame[start + 2]) << 8 | UInt16(frame[start + 3])
            return (code, String(decoding: frame[(start + 4)..<(start + 2 + length)], as: UTF8.self))
        }
    }

    /// Sends the upgrade request and reads until `answer` finds what it looks for in everything received so far;
    /// fails when the server closes first or has not answered within `timeout` (a socket it kept open, say).
    private static func exchange<Answer: Sendable>(
        port: Int, path: String, timeout: Duration = .seconds(10),
        answer: @escaping @Sendable ([UInt8]) throws -> Answer?
    ) async throws -> Answer {
        try await withThrowingTaskGroup(of: Answer.self) { group in
            group.addTask { try await read(port: port, path: path, answer: answer) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TestFailure("no answer to the upgrade of \(path) within \(timeout)")
            }
            defer { group.cancelAll() }
            guard let answer = try await group.next() else { throw TestFailure("no answer") }
            return answer
        }
    }

    private static func read<Answer: Sendable>(
        port: Int, path: String, answer: ([UInt8]) throws -> Answer?
    ) async throws -> Answer {
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
            var received: [UInt8] = []
            for try await buffer in inbound {
                received += buffer.readableBytesView
                if let found = try answer(received) { return found }
            }
            throw TestFailure("connection closed before the answer was complete: \(received)")
        }
    }
}

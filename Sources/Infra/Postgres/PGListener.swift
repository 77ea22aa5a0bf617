/// `LISTEN` on a dedicated connection, as an `AsyncSequence` that survives connection loss.
///
/// Iterating connects, runs `LISTEN` for every channel, yields ``Event/listening``, then yields each
/// notification. When the connection breaks it reconnects with exponential backoff, listens again and yields
/// ``Event/listening`` again: notifications sent while it was disconnected are lost, so treat `.listening` as
/// "re-scan whatever you were watching". Iteration ends (returns nil) when the task is cancelled.
///
/// ```swift
/// for try await event in PGListener(configuration: config, channels: ["outbound_due"]) {
///     switch event {
///     case .listening: await sender.scanDueJobs()
///     case .notification(let note): await sender.wake(note.payload)
///     }
/// }
/// ```
public struct PGListener: AsyncSequence, Sendable {
    /// What the listener reports.
    public enum Event: Sendable, Hashable {
        /// Connected and listening (first time or after a reconnect).
        case listening
        /// A notification on one of the channels.
        case notification(PGNotification)
    }

    /// The server to listen on.
    public let configuration: PGConfiguration
    /// The channels to `LISTEN` to.
    public let channels: [String]
    let loop: IOEventLoop
    let initialBackoff: Duration
    let maximumBackoff: Duration

    /// Describes a listener; nothing connects until iteration starts.
    public init(
        configuration: PGConfiguration, channels: [String], loop: IOEventLoop = .shared,
        initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(5)
    ) {
        self.configuration = configuration
        self.channels = channels
        self.loop = loop
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(listener: self) }

    /// Connects lazily, reconnects after failures; the connection closes when the iterator goes away.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let listener: PGListener
        var connection: PGConnection?
        var failures = 0

        /// The connection currently listening (nil while reconnecting), e.g. to read its `backendPID`.
        public var currentConnection: PGConnection? { connection }

        public mutating func next() async throws -> Event? {
            while !Task.isCancelled {
                if let connection {
                    do {
                        return .notification(try await connection.nextNotification())
                    } catch is CancellationError {
                        return nil
                    } catch {
                        await connection.close()
                        self.connection = nil
                        continue
                    }
                }
                do {
                    let connection = try await PGConnection.connect(
                        configuration: listener.configuration, loop: listener.loop)
                    for channel in listener.channels { try await connection.listen(channel) }
                    self.connection = connection
                    failures = 0
                    return .listening
                } catch {
                    failures += 1
                    var delay = listener.initialBackoff
                    for _ in 1..<Swift.max(1, failures) where delay < listener.maximumBackoff { delay *= 2 }
                    do {
                        try await Task.sleep(for: Swift.min(delay, listener.maximumBackoff))
                    } catch {
                        return nil
                    }
                }
            }
            return nil
        }
    }
}

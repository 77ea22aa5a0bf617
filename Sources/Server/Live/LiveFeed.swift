import NIOCore
import Synchronization

/// One socket's events: the frames to write, in order.
struct LiveFeed: Sendable {
    /// Why a feed ended.
    enum End: Sendable, Equatable {
        /// The socket was detached (its client left, or its writes failed).
        case detached
        /// It fell `socketQueueLimit` frames behind.
        case tooSlow
        /// Its token expired.
        case tokenExpired
        /// The hub is shutting down.
        case shutdown
    }

    /// Where the hub records why it ended a feed, before finishing it (the first reason stays).
    final class Ending: Sendable {
        private let reason = Mutex<End?>(nil)

        /// Records `end` unless a reason is already there.
        func record(_ end: End) {
            reason.withLock { $0 = $0 ?? end }
        }

        /// Why the feed ended; nil while it runs.
        var end: End? { reason.withLock { $0 } }
    }

    /// The socket's id in the hub.
    let id: Int
    /// The UTF-8 JSON of each event, to write as a text frame (one buffer shared by every socket); ends when the
    /// socket is detached, too slow, expired, or the hub shuts down.
    let frames: AsyncStream<ByteBuffer>
    /// Why `frames` ended.
    let ending: Ending
}

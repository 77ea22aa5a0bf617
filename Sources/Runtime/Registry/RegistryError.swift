/// Why an `ActorRegistry` refused or failed a message.
public struct RegistryError: Error, Hashable, CustomStringConvertible {
    enum Base: Hashable {
        case mailboxFull, tooManyEntities, shuttingDown, timedOut, entityStopped, deadlineExceeded
    }

    let base: Base

    /// The key's mailbox is at its high watermark (answer 503/429 at the edge).
    public static let mailboxFull = RegistryError(base: .mailboxFull)
    /// The live-entity cap is reached and no idle entity could be evicted.
    public static let tooManyEntities = RegistryError(base: .tooManyEntities)
    /// The registry is shutting down (or finished); accepted messages it could not drain also fail with this.
    public static let shuttingDown = RegistryError(base: .shuttingDown)
    /// A suspended sender's deadline passed before its key's mailbox had room.
    public static let timedOut = RegistryError(base: .timedOut)
    /// The entity exceeded its restart limit and was stopped; its queued messages fail with this.
    public static let entityStopped = RegistryError(base: .entityStopped)
    /// The asker's deadline passed before its message was answered; the message is dropped unhandled if it was not
    /// started yet, and otherwise finishes without anyone waiting.
    public static let deadlineExceeded = RegistryError(base: .deadlineExceeded)

    public var description: String {
        switch base {
        case .mailboxFull: "mailbox full"
        case .tooManyEntities: "too many live entities"
        case .shuttingDown: "registry shutting down"
        case .timedOut: "timed out waiting for room in the mailbox"
        case .entityStopped: "entity stopped after too many restarts"
        case .deadlineExceeded: "deadline passed before the entity answered"
        }
    }
}

/// How a sender is admitted when the key's mailbox is full.
public enum Admission: Hashable, Sendable {
    /// Fail at once with `RegistryError.mailboxFull` (the HTTP edge answers 503/429).
    case reject
    /// Wait for room up to `timeout`, then fail with `RegistryError.timedOut`.
    case suspend(timeout: Duration)
}

/// A keyed entity hosted by an `ActorRegistry`: one live instance per key, handling one message at a time, in
/// arrival order, each to completion (no re-entrancy: the key's consumer is the only caller).
///
/// The entity is a value created by the registry's async throwing factory (which typically loads its state from the
/// database) and dropped after `onPassivate`. Between bursts of messages it rests in the registry's entry for its
/// key, and the next burst's consumer task takes it from there, hence `Sendable`: each consumer in turn owns it.
/// Keep its stored properties small (shared dependencies behind one reference): an idle live entity costs its
/// inline size and what it points to.
public protocol KeyedEntity: Sendable, SendableMetatype {
    /// The identity the registry routes by.
    associatedtype Key: Hashable & Sendable
    /// What the entity is sent.
    associatedtype Message: Sendable
    /// What `handle` answers (returned to `ask` callers).
    associatedtype Reply: Sendable

    /// Handles one message. A thrown error fails this message only (the `ask` caller sees it) and the entity
    /// carries on; throw `BrokenEntityError` to have the entity restarted (state reloaded by the factory).
    mutating func handle(_ message: Message) async throws -> Reply

    /// Called once before the instance is dropped (idle timeout, LRU eviction, shutdown); may be async.
    mutating func onPassivate(reason: PassivationReason) async
}

extension KeyedEntity {
    /// Does nothing.
    public mutating func onPassivate(reason: PassivationReason) async {}
}

/// Why an entity is being passivated.
public enum PassivationReason: Hashable, Sendable {
    /// Its idle timeout passed.
    case idle
    /// The registry hit its live-entity cap and this was the least recently used idle entity.
    case evicted
    /// The registry is shutting down.
    case shutdown
}

/// Thrown by `KeyedEntity.handle` to report that the entity itself is broken (its state cannot be trusted).
/// The current message fails with `underlying`; the instance is dropped and re-created by the factory after the
/// restart policy's backoff, or stopped and escalated past its restart limit.
public struct BrokenEntityError: Error {
    /// The error the failed message's caller receives.
    public let underlying: any Error

    /// Reports the entity broken because of `underlying`.
    public init(_ underlying: any Error) {
        self.underlying = underlying
    }
}

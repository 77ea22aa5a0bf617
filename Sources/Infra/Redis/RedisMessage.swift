/// One pub/sub message.
public struct RedisMessage: Sendable, Hashable {
    /// The channel it was published on.
    public var channel: String
    /// The pattern that matched, for ``RedisSubscriber/psubscribe(pattern:)`` subscriptions.
    public var pattern: String?
    /// The published bytes, unchanged.
    public var payload: [UInt8]

    /// The payload decoded as UTF-8, or nil when it is not valid UTF-8.
    public var string: String? { String(validating: payload, as: UTF8.self) }
}

/// The messages of one subscription. Dropping it, or cancelling the task that iterates it, unsubscribes (when
/// it was the last subscription to that channel or pattern).
///
/// Buffered up to ``RedisConfiguration/subscriptionBufferSize`` messages; a consumer that falls further behind
/// loses the oldest.
public struct RedisSubscription: AsyncSequence, Sendable {
    public typealias Element = RedisMessage
    let stream: AsyncStream<RedisMessage>

    public func makeAsyncIterator() -> AsyncStream<RedisMessage>.Iterator { stream.makeAsyncIterator() }
}

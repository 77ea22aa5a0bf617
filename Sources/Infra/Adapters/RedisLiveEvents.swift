import Actors
import Logging

/// ``LiveEventPublishing`` on Redis pub/sub: each event goes to `ws:restaurant:{id}:<kind>`, where every
/// instance's WebSocket hub hears it.
public struct RedisLiveEvents: LiveEventPublishing {
    private let client: RedisClient
    private let logger: Logger

    /// Publishes through `client`'s pool.
    public init(client: RedisClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func publish(_ event: LiveEvent) async {
        do {
            _ = try await client.publish(channel: event.channel, message: event.frameJSON)
        } catch {
            logger.warning(
                "live event not published", metadata: ["type": "\(event.kind.rawValue)", "error": "\(error)"])
        }
    }
}

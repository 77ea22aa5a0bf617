import Actors
import Logging

/// ``AcceptedMessageCache`` on ``RedisIdempotency``: an unreachable Redis means "not known" (the database's
/// unique index still decides), never an error on the webhook path.
public struct RedisAcceptedMessageCache: AcceptedMessageCache {
    private let idempotency: RedisIdempotency
    private let logger: Logger

    /// Wraps `idempotency`.
    public init(idempotency: RedisIdempotency, logger: Logger) {
        self.idempotency = idempotency
        self.logger = logger
    }

    public func wasAccepted(messageSid: String) async -> Bool {
        do {
            return try await idempotency.wasAccepted(messageSid)
        } catch {
            logger.debug("idempotency cache unavailable", metadata: ["error": "\(error)"])
            return false
        }
    }

    public func markAccepted(messageSid: String) async {
        do {
            _ = try await idempotency.markAccepted(messageSid)
        } catch {
            logger.debug("idempotency cache unavailable", metadata: ["error": "\(error)"])
        }
    }
}

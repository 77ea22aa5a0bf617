import Logging
import Synchronization

/// The request id and restaurant id of the webhook a task is handling, added to every log line written from
/// that task (and its child tasks) through swift-log's metadata provider, whatever logger writes it: the
/// webhook's, the Supervisor's, Redis' or PostgreSQL's.
///
/// The request id is Twilio's `I-Twilio-Idempotency-Token` when the request has one (it is the same on
/// Twilio's retries of one delivery), else a fresh one (``freshRequestID()``).
public enum RequestLogContext {
    /// The metadata of the webhook being handled; empty outside one.
    @TaskLocal public static var metadata: Logger.Metadata = [:]

    /// The provider to bootstrap the logging system with (see ``SufraLogging``).
    public static let provider = Logger.MetadataProvider { metadata }

    /// Metadata key of the request id.
    public static let requestIDKey = "request_id"
    /// Metadata key of the restaurant id.
    public static let restaurantIDKey = "restaurant_id"

    /// A request id for a request without Twilio's token: this process's random prefix and a counter, unique across
    /// processes in practice and far cheaper than a random UUID per request.
    public static func freshRequestID() -> String {
        processPrefix + "-" + String(requestCounter.add(1, ordering: .relaxed).newValue, radix: 16)
    }

    private static let processPrefix = String(UInt32.random(in: .min ... .max), radix: 16)
    private static let requestCounter = Atomic<UInt64>(0)
}

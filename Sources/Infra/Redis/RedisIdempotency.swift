/// The fast path of webhook idempotency: "this `MessageSid` was already accepted".
///
/// The database's unique `MessageSid` decides (DESIGN.md invariant 3). Write the Redis key only after the
/// message is committed: a key written before a commit that then fails would turn Twilio's retry into a lost
/// message. A missing key proves nothing (it may have expired, or Redis may have restarted): fall through to
/// the database.
public struct RedisIdempotency: Sendable {
    let client: RedisClient
    /// Prefix of every key (`<prefix><sid>`).
    public let keyPrefix: String
    /// How long a key lives.
    public let ttlSeconds: Int

    /// - Parameters:
    ///   - keyPrefix: prefix of the keys, `idem:` by default.
    ///   - ttlSeconds: key lifetime, a day by default (Twilio retries for far less).
    public init(client: RedisClient, keyPrefix: String = "idem:", ttlSeconds: Int = 86_400) {
        self.client = client
        self.keyPrefix = keyPrefix
        self.ttlSeconds = ttlSeconds
    }

    /// Records that `sid` was accepted (`SET key 1 NX EX ttl`); true when this call created the key.
    @discardableResult
    public func markAccepted(_ sid: String) async throws -> Bool {
        let reply = try await client.send([
            "SET", RedisArgument(keyPrefix + sid), "1", "NX", "EX", RedisArgument(ttlSeconds),
        ])
        return !reply.isNull
    }

    /// True when `sid` is known to be accepted already.
    public func wasAccepted(_ sid: String) async throws -> Bool {
        let reply = try await client.send(["EXISTS", RedisArgument(keyPrefix + sid)])
        return reply.int == 1
    }
}

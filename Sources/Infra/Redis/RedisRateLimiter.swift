/// Inbound webhook limits as three token buckets in Redis (global, restaurant, customer), checked and taken
/// atomically by one Lua script in one round trip (CONTRACT.md §2 and §9).
///
/// Each bucket holds a minute's worth (capacity = the per-minute limit) and refills continuously at
/// limit / 60 tokens per second. A check takes one token from every bucket only when all three have one, so a
/// denied webhook costs nothing and no bucket ever goes below zero. The clock is the Redis server's `TIME`, so
/// every instance agrees. Buckets expire (`PEXPIRE`) once they would be full again: an idle bucket is the same
/// as a missing one.
///
/// Keys: `rl:global`, `rl:{<restaurantId>}:r`, `rl:{<restaurantId>}:c:<customer>` (after `keyPrefix`). The
/// restaurant and customer keys share a hash slot; the global key does not, so on Redis Cluster the script must
/// run with a per-slot global key instead (see docs/redis.md).
public struct RedisRateLimiter: Sendable {
    let client: RedisClient
    /// Limit of the global bucket, per minute.
    public let globalPerMinute: Int
    /// Limit of each customer's bucket, per minute.
    public let customerPerMinute: Int
    /// Prepended to every key (tests use it to isolate themselves).
    public let keyPrefix: String

    /// - Parameters:
    ///   - globalPerMinute: `RATE_GLOBAL_PER_MIN`, 200 by default.
    ///   - customerPerMinute: `RATE_CUSTOMER_PER_MIN`, 20 by default.
    public init(client: RedisClient, globalPerMinute: Int = 200, customerPerMinute: Int = 20, keyPrefix: String = "") {
        self.client = client
        self.globalPerMinute = globalPerMinute
        self.customerPerMinute = customerPerMinute
        self.keyPrefix = keyPrefix
    }

    /// The keys of one check: global, restaurant, customer.
    public func keys(restaurantId: String, customer: String) -> [String] {
        [
            "\(keyPrefix)rl:global",
            "\(keyPrefix)rl:{\(restaurantId)}:r",
            "\(keyPrefix)rl:{\(restaurantId)}:c:\(customer)",
        ]
    }

    /// Takes one token from the global, restaurant and customer buckets if all three have one.
    ///
    /// - Parameter restaurantPerMinute: the restaurant's own inbound limit (`inboundPerMinute`); 0 or less denies.
    /// - Throws: ``RedisError`` when Redis cannot answer (the caller decides whether to fail open or closed).
    public func check(
        restaurantId: String, customer: String, restaurantPerMinute: Int
    ) async throws
        -> RateLimitDecision
    {
        let reply = try await client.eval(
            Self.script,
            keys: keys(restaurantId: restaurantId, customer: customer).map { RedisArgument($0) },
            arguments: [
                RedisArgument(globalPerMinute), RedisArgument(restaurantPerMinute), RedisArgument(customerPerMinute),
            ])
        guard let values = reply.array?.compactMap(\.int), values.count == 4 else {
            throw RedisError.unexpectedReply(reply, expected: "four integers from the rate-limit script")
        }
        let buckets: [RateLimitDecision.Bucket] = [.global, .restaurant, .customer]
        let deniedIndex = Int(values[1]) - 1
        return RateLimitDecision(
            allowed: values[0] == 1,
            deniedBy: buckets.indices.contains(deniedIndex) ? buckets[deniedIndex] : nil,
            retryAfterSeconds: Int(values[2]),
            remaining: Int(values[3]))
    }

    /// KEYS: global, restaurant, customer. ARGV: their per-minute limits.
    /// Returns {allowed 1|0, denied bucket 0|1|2|3, retry-after seconds, remaining whole tokens}.
    /// Bucket state is a hash: `t` tokens (fractional), `ts` time of `t` in ms.
    static let script = RedisScript(
        """
        if redis.replicate_commands then pcall(redis.replicate_commands) end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local levels = {}
        local denied, wait = 0, 0
        for i = 1, 3 do
          local cap = tonumber(ARGV[i]) or 0
          local level = 0
          if cap > 0 then
            local state = redis.call('HMGET', KEYS[i], 't', 'ts')
            local tokens, ts = tonumber(state[1]), tonumber(state[2])
            if tokens == nil or ts == nil then
              level = cap
            else
              local elapsed = now - ts
              if elapsed < 0 then elapsed = 0 end
              level = math.min(cap, tokens + elapsed * cap / 60000)
            end
          end
          levels[i] = level
          if level < 1 then
            local w = 60
            if cap > 0 then w = math.ceil((1 - level) * 60 / cap) end
            if w < 1 then w = 1 end
            if w > wait then wait, denied = w, i end
          end
        end
        if denied > 0 then return {0, denied, wait, 0} end
        local remaining = nil
        for i = 1, 3 do
          local cap = tonumber(ARGV[i])
          local left = levels[i] - 1
          redis.call('HSET', KEYS[i], 't', string.format('%.17g', left), 'ts', now)
          redis.call('PEXPIRE', KEYS[i], math.ceil((cap - left) * 60000 / cap) + 1000)
          if remaining == nil or left < remaining then remaining = left end
        end
        return {1, 0, 0, math.floor(remaining)}
        """)
}

import Actors

/// ``SendTokenLeasing`` on Redis: each restaurant's send bucket is a hash `{t, ts}` at `rl:{<restaurantId>}:s`
/// (after `keyPrefix`), holding `ceil(sendPerMinute / 6)` tokens at most and refilled continuously at
/// `sendPerMinute / 60` per second — the shape of a process's own bucket (`TokenBucket.perMinute`), now one for
/// all. One Lua script takes up to the wanted count, or answers how many milliseconds until a token is there (the
/// sender sleeps exactly that: whole seconds would lose up to a token per wait); the same script takes back tokens a
/// sender leased and found no work for. The clock is the Redis server's `TIME`, so every process agrees; the key
/// expires once the bucket would be full again.
public struct RedisSendTokenLeaser: SendTokenLeasing {
    let client: RedisClient
    /// Prepended to every key (tests use it to isolate themselves).
    public let keyPrefix: String

    /// Leases through `client`'s pool.
    public init(client: RedisClient, keyPrefix: String = "") {
        self.client = client
        self.keyPrefix = keyPrefix
    }

    /// The key of `restaurantId`'s send bucket.
    public func key(restaurantId: String) -> String { "\(keyPrefix)rl:{\(restaurantId)}:s" }

    public func leaseSendTokens(restaurantId: String, sendPerMinute: Int, count: Int) async throws -> SendTokenLease {
        let values = try await run(restaurantId: restaurantId, sendPerMinute: sendPerMinute, change: max(1, count))
        if values[0] > 0 { return .granted(Int(values[0])) }
        return .wait(.milliseconds(max(1, values[1])))
    }

    public func returnSendTokens(restaurantId: String, sendPerMinute: Int, count: Int) async throws {
        guard count > 0 else { return }
        _ = try await run(restaurantId: restaurantId, sendPerMinute: sendPerMinute, change: -count)
    }

    /// Runs the script on `restaurantId`'s bucket: `change` tokens wanted (> 0) or given back (< 0).
    private func run(restaurantId: String, sendPerMinute: Int, change: Int) async throws -> [Int64] {
        let rate = max(1, sendPerMinute)
        let reply = try await client.eval(
            Self.script, keys: [RedisArgument(key(restaurantId: restaurantId))],
            arguments: [RedisArgument(max(1, (rate + 5) / 6)), RedisArgument(rate), RedisArgument(change)])
        guard let values = reply.array?.compactMap(\.int), values.count == 2 else {
            throw RedisError.unexpectedReply(reply, expected: "two integers from the send-token script")
        }
        return values
    }

    /// KEYS: the bucket. ARGV: capacity, tokens per minute, tokens wanted (> 0) or given back (< 0).
    /// Returns {tokens taken, 0} or {0, milliseconds until one token}; {0, 0} for tokens given back (the bucket never
    /// holds more than its capacity).
    static let script = RedisScript(
        """
        if redis.replicate_commands then pcall(redis.replicate_commands) end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local cap = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local change = tonumber(ARGV[3])
        local state = redis.call('HMGET', KEYS[1], 't', 'ts')
        local tokens, ts = tonumber(state[1]), tonumber(state[2])
        local level = cap
        if tokens ~= nil and ts ~= nil then
          local elapsed = now - ts
          if elapsed < 0 then elapsed = 0 end
          level = math.min(cap, tokens + elapsed * rate / 60000)
        end
        local left, taken = level, 0
        if change < 0 then
          left = math.min(cap, level - change)
        elseif level < 1 then
          return {0, math.ceil((1 - level) * 60000 / rate)}
        else
          taken = math.min(change, math.floor(level))
          left = level - taken
        end
        redis.call('HSET', KEYS[1], 't', string.format('%.17g', left), 'ts', now)
        redis.call('PEXPIRE', KEYS[1], math.ceil((cap - left) * 60000 / rate) + 1000)
        return {taken, 0}
        """)
}

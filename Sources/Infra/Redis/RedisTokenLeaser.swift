import Actors

/// ``TokenLeasing`` on Redis: the inbound token buckets every instance shares (global, restaurant, customer), each
/// a hash `{t, ts}` refilled continuously at capacity / 60 tokens per second, from which one Lua script takes a
/// slice of tokens from all the requested buckets, or from none when one of them has less than one token. The
/// clock is the Redis server's `TIME`, so every instance agrees; a bucket expires once it would be full again.
///
/// Keys (after `keyPrefix`): `rl:global`, `rl:{<restaurantId>}:r`, `rl:{<restaurantId>}:c:<customer>`
/// (docs/inbound.md, "Inbound limits: leased slices").
public struct RedisTokenLeaser: TokenLeasing {
    let client: RedisClient
    /// Prepended to every key (tests use it to isolate themselves).
    public let keyPrefix: String

    /// Leases through `client`'s pool.
    public init(client: RedisClient, keyPrefix: String = "") {
        self.client = client
        self.keyPrefix = keyPrefix
    }

    /// The key of a slice's bucket.
    public func key(_ slice: TokenSlice) -> String {
        switch slice.bucket {
        case .global: "\(keyPrefix)rl:global"
        case .restaurant: "\(keyPrefix)rl:{\(slice.restaurantId)}:r"
        case .customer: "\(keyPrefix)rl:{\(slice.restaurantId)}:c:\(slice.customer)"
        }
    }

    public func lease(_ slices: [TokenSlice]) async throws -> TokenLease {
        guard !slices.isEmpty else { return .granted([]) }
        let reply = try await client.eval(
            Self.script, keys: slices.map { RedisArgument(key($0)) },
            arguments: slices.flatMap { [RedisArgument($0.perMinute), RedisArgument(max(1, $0.count))] })
        guard let values = reply.array?.compactMap(\.int), values.count == 2 + slices.count else {
            throw RedisError.unexpectedReply(reply, expected: "\(2 + slices.count) integers from the lease script")
        }
        if values[0] > 0, slices.indices.contains(Int(values[0]) - 1) {
            return .denied(slices[Int(values[0]) - 1].bucket, retryAfterSeconds: max(1, Int(values[1])))
        }
        return .granted(values.dropFirst(2).map { Int($0) })
    }

    /// KEYS: the buckets. ARGV: per bucket, its per-minute capacity and the tokens wanted.
    /// Returns {denied bucket index (1-based) or 0, retry-after seconds, granted per bucket…}.
    static let script = RedisScript(
        """
        if redis.replicate_commands then pcall(redis.replicate_commands) end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local n = #KEYS
        local levels = {}
        local denied, wait = 0, 0
        for i = 1, n do
          local cap = tonumber(ARGV[2 * i - 1]) or 0
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
        local result = {denied, wait}
        if denied > 0 then
          for i = 1, n do result[2 + i] = 0 end
          return result
        end
        for i = 1, n do
          local cap = tonumber(ARGV[2 * i - 1])
          local want = tonumber(ARGV[2 * i])
          local take = math.min(want, math.floor(levels[i]))
          local left = levels[i] - take
          redis.call('HSET', KEYS[i], 't', string.format('%.17g', left), 'ts', now)
          redis.call('PEXPIRE', KEYS[i], math.ceil((cap - left) * 60000 / cap) + 1000)
          result[2 + i] = take
        end
        return result
        """)
}

import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct RedisIdempotencyTests {
    @Test func markAcceptedOnceAndExpires() async throws {
        let prefix = uniqueRedisPrefix("idem")
        try await withRedisClient(try sharedRedisConfiguration()) { redis in
            let idempotency = RedisIdempotency(client: redis, keyPrefix: prefix)
            #expect(try await idempotency.wasAccepted("SM1") == false)
            #expect(try await idempotency.markAccepted("SM1") == true)
            #expect(try await idempotency.markAccepted("SM1") == false)
            #expect(try await idempotency.wasAccepted("SM1"))
            let ttl = try #require(try await redis.send(["TTL", RedisArgument(prefix + "SM1")]).int)
            #expect(ttl > 86_000 && ttl <= 86_400)
        }
    }
}

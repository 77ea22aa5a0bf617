import Testing

@testable import Infra

/// The keyed contexts give what OpenSSL's one-shot `HMAC` gives, for keys seen once, again, and after the cache
/// started over.
@Suite("HMACKeyCache")
struct HMACKeyCacheTests {
    @Test func keyedContextsMatchTheOneShotCallForEveryKeyAndEveryUse() throws {
        let cache = HMACKeyCache(capacity: 3)
        var generator = SystemRandomNumberGenerator()
        let keys = (0..<5).map { index in
            (0..<(8 + index * 9)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        // Five keys through a cache of three: every key is made, reused, and made again after the cache started over.
        for round in 0..<3 {
            for key in keys {
                let data = Array("round \(round) https://example.com/whatsapp/webhookBodyhello".utf8)
                let sha1 = data.withUnsafeBytes { cache.mac(digest: "SHA1", length: 20, key: key, data: $0) }
                let sha256 = data.withUnsafeBytes { cache.mac(digest: "SHA256", length: 32, key: key, data: $0) }
                #expect(sha1 == HMAC.oneShotSHA1(key: key, data: data))
                #expect(sha256 == HMAC.oneShotSHA256(key: key, data: data))
            }
        }
    }

    @Test func anEmptyKeyFallsBackToTheOneShotCall() {
        let data = Array("data".utf8)
        #expect(data.withUnsafeBytes { HMACKeyCache.shared.mac(digest: "SHA1", length: 20, key: [], data: $0) } == nil)
        #expect(HMAC.sha1(key: [UInt8](), data: data) == HMAC.oneShotSHA1(key: [], data: data))
    }

    @Test func concurrentUsersOfOneKeyEachGetTheRightMAC() async {
        let key = Array("twilio-auth-token".utf8)
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let data = Array("message \(index)".utf8)
                    return HMAC.sha1(key: key, data: data) == HMAC.oneShotSHA1(key: key, data: data)
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 200 && results.allSatisfy { $0 })
    }
}

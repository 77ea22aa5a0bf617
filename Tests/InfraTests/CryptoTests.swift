import Testing

@testable import Infra

@Suite("Crypto", .timeLimit(.minutes(3)))
struct CryptoTests {
    @Test func hmacMatchesRFC4231AndRFC2202() {
        let key = Array("Jefe".utf8)
        let data = Array("what do ya want for nothing?".utf8)
        #expect(
            Hex.encode(HMAC.sha256(key: key, data: data))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Hex.encode(HMAC.sha1(key: key, data: data)) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    @Test func sha256OfABC() {
        #expect(SHA256.hexHash(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func base64RoundTripsAndRejectsGarbage() throws {
        for length in 0..<40 {
            let bytes = try SecureRandom.bytes(length)
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm8") == nil)
        #expect(Base64.decode("Zm8*") == nil)
        #expect(Base64.decode("Z===") == nil)
    }

    @Test func constantTimeEqualComparesContent() {
        #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2]))
    }

    @Test func aesGCMRoundTripAndRejections() throws {
        let key = try SecureRandom.bytes(32)
        let plaintext = Array("auth-token-0123456789abcdef".utf8)
        let box = try AESGCM.seal(plaintext, key: key, associatedData: Array("restaurant-1".utf8))
        #expect(box.nonce.count == 12 && box.tag.count == 16 && box.ciphertext.count == plaintext.count)
        #expect(box.ciphertext != plaintext)
        #expect(try AESGCM.open(box, key: key, associatedData: Array("restaurant-1".utf8)) == plaintext)

        #expect(throws: CryptoError.authenticationFailed) {
            try AESGCM.open(box, key: SecureRandom.bytes(32), associatedData: Array("restaurant-1".utf8))
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try AESGCM.open(box, key: key, associatedData: Array("restaurant-2".utf8))
        }
        for index in box.combined.indices {
            var combined = box.combined
            combined[index] ^= 0x01
            #expect(throws: CryptoError.authenticationFailed) {
                try AESGCM.open(
                    AESGCM.SealedBox(combined: combined), key: key, associatedData: Array("restaurant-1".utf8))
            }
        }
        #expect(throws: CryptoError.invalidKeySize(expected: 32, actual: 16)) {
            try AESGCM.seal(plaintext, key: Array(key.prefix(16)))
        }
    }

    @Test func aesGCMUsesFreshNonces() throws {
        let key = try SecureRandom.bytes(32)
        let first = try AESGCM.seal([1, 2, 3], key: key)
        let second = try AESGCM.seal([1, 2, 3], key: key)
        #expect(first.nonce != second.nonce)
        #expect(first.ciphertext != second.ciphertext)
    }

    @Test func masterKeyAcceptsOnlyThirtyTwoBytesOfBase64() throws {
        let good = Base64.encode(try SecureRandom.bytes(32))
        #expect(try MasterKey(base64: good).id == "k1")
        #expect(try MasterKey(base64: " \(good)\n").id == "k1")
        for bad in [
            "", "not base64!", Base64.encode(try SecureRandom.bytes(31)), Base64.encode(try SecureRandom.bytes(33)),
        ] {
            #expect(throws: MasterKeyError.self) { try MasterKey(base64: bad) }
        }
        #expect(throws: MasterKeyError.self) { try MasterKey(id: "a:b", base64: good) }
    }

    @Test func secretsAreNeverPrinted() throws {
        let bytes = try SecureRandom.bytes(32)
        let key = try MasterKey(id: "k9", bytes: bytes)
        let encoded = Base64.encode(bytes)
        #expect(!"\(key)".contains(encoded))
        #expect(!String(reflecting: key).contains(encoded))
        #expect("\(key)".contains("redacted"))
        let box = SecretBox(current: key)
        #expect(!"\(box)".contains(encoded))
        let account = TwilioAccount(sid: "AC1", authToken: "supersecret")
        #expect(!"\(account)".contains("supersecret"))
    }

    @Test func secretBoxRoundTripBindsRestaurantAndKeepsOldKeysAfterRotation() throws {
        let old = try MasterKey.random(id: "k1")
        let new = try MasterKey.random(id: "k2")
        let before = SecretBox(current: old)
        let sealed = try before.seal("twilio-token", associatedData: "r-42")
        #expect(sealed.hasPrefix("k1:"))
        #expect(!sealed.contains("twilio-token"))
        #expect(try before.open(sealed, associatedData: "r-42") == "twilio-token")
        #expect(throws: CryptoError.authenticationFailed) { try before.open(sealed, associatedData: "r-43") }

        let after = SecretBox(current: new, previous: [old])
        #expect(try after.open(sealed, associatedData: "r-42") == "twilio-token")
        #expect(after.needsReencryption(sealed))
        let moved = try after.reencrypt(sealed, associatedData: "r-42")
        #expect(moved.hasPrefix("k2:"))
        #expect(!after.needsReencryption(moved))
        #expect(try after.open(moved, associatedData: "r-42") == "twilio-token")

        let newOnly = SecretBox(current: new)
        #expect(throws: CryptoError.unknownKeyID("k1")) { try newOnly.open(sealed, associatedData: "r-42") }
        #expect(try newOnly.open(moved, associatedData: "r-42") == "twilio-token")
        #expect(throws: CryptoError.self) { try newOnly.open("k2:@@@@", associatedData: "r-42") }
    }
}

import Infra
import Testing

@Suite struct PasswordHashTests {
    @Test func hashIsSelfDescribingSaltedAndVerifies() throws {
        let stored = try PasswordHash.make("correct horse battery", iterations: 100_000)
        let parts = stored.split(separator: "$")
        #expect(parts.count == 4)
        #expect(parts[0] == "pbkdf2-sha256")
        #expect(parts[1] == "100000")
        #expect(Base64.decode(String(parts[2]))?.count == 16)
        #expect(Base64.decode(String(parts[3]))?.count == 32)
        #expect(PasswordHash.verify("correct horse battery", against: stored))
        #expect(!PasswordHash.verify("correct horse batterY", against: stored))
        #expect(!PasswordHash.verify("", against: stored))
        #expect(try PasswordHash.make("correct horse battery", iterations: 100_000) != stored, "a fresh salt each time")
    }

    @Test func defaultWorkFactorIsOWASPs() throws {
        #expect(PasswordHash.defaultIterations == 600_000)
        #expect(try PasswordHash.make("correct horse battery").hasPrefix("pbkdf2-sha256$600000$"))
    }

    /// A stored string built from an independent implementation (Python's
    /// `hashlib.pbkdf2_hmac("sha256", b"password", b"saltsaltsaltsalt", 100000)`) verifies.
    @Test func matchesAnIndependentImplementation() throws {
        let salt = Array("saltsaltsaltsalt".utf8)
        let stored = "pbkdf2-sha256$100000$\(Base64.encode(salt))$\(Base64.encode(Self.reference))"
        #expect(PasswordHash.verify("password", against: stored))
        #expect(!PasswordHash.verify("passwore", against: stored))
    }

    @Test func malformedOrCheapStoredHashesNeverMatch() throws {
        let good = try PasswordHash.make("correct horse battery", iterations: 100_000)
        let parts = good.split(separator: "$").map(String.init)
        let variants = [
            "", "pbkdf2-sha256", "scrypt$100000$\(parts[2])$\(parts[3])",
            "pbkdf2-sha256$1$\(parts[2])$\(parts[3])", "pbkdf2-sha256$x$\(parts[2])$\(parts[3])",
            "pbkdf2-sha256$100000$!!$\(parts[3])", "pbkdf2-sha256$100000$\(parts[2])$AAAA",
        ]
        for variant in variants {
            #expect(!PasswordHash.verify("correct horse battery", against: variant), "\(variant)")
        }
    }

    static let reference: [UInt8] = {
        let hex = Array("4fbf2d122fe6afc61a81e9f2fe393ab39f906a78ddddc797763c0e784857e9b4")
        return stride(from: 0, to: hex.count, by: 2).compactMap { UInt8(String(hex[$0...$0 + 1]), radix: 16) }
    }()
}

import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct RedisConfigurationTests {
    @Test func parsesFullURL() throws {
        let configuration = try RedisConfiguration(url: "redis://:s%40cret@cache.internal:6380/3")
        #expect(configuration.host == "cache.internal")
        #expect(configuration.port == 6380)
        #expect(configuration.password == "s@cret")
        #expect(configuration.username == nil)
        #expect(configuration.database == 3)
    }

    @Test func parsesDefaultsAndACLUser() throws {
        let plain = try RedisConfiguration(url: "redis://localhost")
        #expect(plain.port == 6379 && plain.database == 0 && plain.password == nil)
        let acl = try RedisConfiguration(url: "redis://bot:pw@[::1]:7000/")
        #expect(acl.username == "bot" && acl.password == "pw" && acl.host == "::1" && acl.port == 7000)
        let contractDefault = try RedisConfiguration(url: RedisConfiguration.defaultURL)
        #expect(contractDefault.host == "127.0.0.1" && contractDefault.port == 6379)
    }

    @Test(arguments: [
        ("http://localhost:6379", RedisConfigurationError.Code.unsupportedScheme),
        ("redis://:6379", .invalidHost),
        ("redis://localhost:0", .invalidPort),
        ("redis://localhost:abc", .invalidPort),
        ("redis://localhost:6379/x", .invalidDatabase),
        ("redis://:bad%zz@localhost", .invalidUserInfo),
    ])
    func rejectsBadURLs(url: String, code: RedisConfigurationError.Code) {
        #expect {
            _ = try RedisConfiguration(url: url)
        } throws: { error in
            (error as? RedisConfigurationError)?.code == code
        }
    }

    @Test func errorNeverShowsThePassword() {
        do {
            _ = try RedisConfiguration(url: "redis://:topsecret@localhost:99999")
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("topsecret"))
        }
    }
}

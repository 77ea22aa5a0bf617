import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Infra
import NIOCore
import Testing

@testable import Server

@Suite struct ForwardedHeadersTests {
    @Test func defaultTrustsLoopbackAndPrivateRangesOnly() {
        let proxies = TrustedProxies.default
        for trusted in ["127.0.0.1", "127.9.9.9", "::1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1"] {
            #expect(proxies.trusts(ipAddress: trusted), "\(trusted)")
        }
        for trusted in ["fd12:3456::1", "fc00::1", "::ffff:10.0.0.7", "::ffff:127.0.0.1"] {
            #expect(proxies.trusts(ipAddress: trusted), "\(trusted)")
        }
        for untrusted in ["8.8.8.8", "172.32.0.1", "172.15.255.255", "192.169.0.1", "2001:db8::1", "::ffff:8.8.8.8"] {
            #expect(!proxies.trusts(ipAddress: untrusted), "\(untrusted)")
        }
        #expect(!proxies.trusts(ipAddress: "not an address"))
    }

    @Test func parsesCIDRListsAndRefusesNonsense() throws {
        let proxies = try TrustedProxies(parsing: " 203.0.113.0/24, 2001:db8::/32 ,198.51.100.7")
        #expect(proxies.trusts(ipAddress: "203.0.113.200"))
        #expect(!proxies.trusts(ipAddress: "203.0.114.1"))
        #expect(proxies.trusts(ipAddress: "2001:db8:ffff::1"))
        #expect(proxies.trusts(ipAddress: "198.51.100.7"))
        #expect(!proxies.trusts(ipAddress: "198.51.100.8"))
        #expect(!proxies.trusts(ipAddress: "127.0.0.1"))
        #expect(try !TrustedProxies(parsing: "").trusts(ipAddress: "127.0.0.1"))
        for bad in ["10.0.0.0/33", "example.com", "10.0.0.0/x", "::1/129"] {
            #expect(throws: ConfigurationError.self) { try TrustedProxies(parsing: bad) }
        }
    }

    @Test func configurationReadsTrustedProxiesAndWarnsWithoutPublicURL() throws {
        let unset = try SufraConfiguration(environment: [:])
        #expect(unset.trustedProxies == .default)
        #expect(unset.warnings.count == 1)
        #expect(unset.warnings.first?.contains("PUBLIC_URL is not set") == true)
        let set = try SufraConfiguration(environment: ["PUBLIC_URL": "https://x.test", "TRUSTED_PROXIES": "10.0.0.0/8"])
        #expect(set.warnings.isEmpty)
        #expect(set.trustedProxies.trusts(ipAddress: "10.9.9.9"))
        #expect(!set.trustedProxies.trusts(ipAddress: "192.168.0.1"))
        #expect(throws: ConfigurationError.self) { try SufraConfiguration(environment: ["TRUSTED_PROXIES": "x"]) }
    }

    /// Signed for the https URL a proxy would present; the test client connects from 127.0.0.1.
    private func sendBehindProxy(
        _ client: some TestClientProtocol, to restaurant: TestRestaurant
    ) async throws
        -> HTTPResponse.Status
    {
        let parameters: [(name: String, value: String)] = [
            ("MessageSid", TestSid.make()), ("AccountSid", restaurant.accountSid),
            ("From", "whatsapp:+966500000009"), ("To", restaurant.number), ("Body", "hi"), ("NumMedia", "0"),
        ]
        let signature = TwilioSignature.compute(
            authToken: restaurant.authToken, url: "https://proxied.sufra.test/whatsapp/webhook", parameters: parameters)
        let response = try await client.execute(
            uri: "/whatsapp/webhook", method: .post,
            headers: [
                .contentType: "application/x-www-form-urlencoded", .twilioSignature: signature,
                .forwardedProto: "https", .forwardedHost: "proxied.sufra.test",
            ],
            body: ByteBuffer(string: FormEncoding.encode(parameters)))
        return response.status
    }

    @Test func forwardedHeadersCountFromATrustedPeer() async throws {
        try await SufraTestApp.run(overrides: ["PUBLIC_URL": ""]) { _, client, _ in
            let restaurant = try await client.createRestaurant()
            #expect(try await sendBehindProxy(client, to: restaurant) == .ok)
        }
    }

    @Test func forwardedHeadersAreIgnoredFromAnUntrustedPeer() async throws {
        try await SufraTestApp.run(overrides: ["PUBLIC_URL": "", "TRUSTED_PROXIES": "10.0.0.0/8"]) { _, client, _ in
            let restaurant = try await client.createRestaurant()
            #expect(try await sendBehindProxy(client, to: restaurant) == .forbidden)
        }
    }
}

import Testing

@testable import Infra

/// Vectors from Twilio's own request-validator tests (twilio-python, twilio-node, twilio-csharp).
@Suite("TwilioSignature", .timeLimit(.minutes(3)))
struct TwilioSignatureTests {
    static let token = "12345"
    static let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    static let parameters: [(name: String, value: String)] = [
        ("CallSid", "CA1234567890ABCDE"), ("From", "+14158675309"), ("Digits", "1234"), ("To", "+18005551212"),
        ("Caller", "+14158675309"),
    ]
    static let body = Array("{\"property\": \"value\", \"boolean\": true}".utf8)
    static let bodyHash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"

    static func valid(_ signature: String, _ url: String, token: String = token) -> Bool {
        TwilioSignature.isValid(signature: signature, authToken: token, url: url, parameters: parameters)
    }

    @Test func computesTheReferenceSignature() {
        #expect(
            TwilioSignature.compute(authToken: Self.token, url: Self.url, parameters: Self.parameters)
                == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        #expect(Self.valid("RSOYDt4T1cUTdK1PDd93/VVr8B8=", Self.url))
    }

    @Test func repeatedKeysAreSortedAndDeduplicated() {
        let duplicated: [(name: String, value: String)] = [
            ("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234"),
        ]
        #expect(
            TwilioSignature.compute(authToken: Self.token, url: Self.url, parameters: duplicated)
                == "IK+Dwps556ElfBT0I3Rgjkr1wJU=")
        #expect(
            TwilioSignature.compute(authToken: Self.token, url: Self.url, parameters: duplicated + [("Digits", "1234")])
                == "IK+Dwps556ElfBT0I3Rgjkr1wJU=")
    }

    @Test func theSignedStringOrdersByBytesAndKeepsCanonicallyEquivalentPairsApart() {
        // "é" precomposed (C3 A9) and decomposed ("e" + U+0301: 65 CC 81) are equal as Swift `String`s but not as
        // bytes, which is what Twilio signs: both stay, in byte order (decomposed first); an identical repeat is
        // signed once.
        let parameters: [(name: String, value: String)] = [
            ("\u{E9}", "1"), ("B", "b"), ("e\u{301}", "1"), ("B", "a"), ("B", "b"), ("a", ""),
        ]
        let expected = Array("BaBb".utf8) + Array("a".utf8) + Array("e\u{301}1".utf8) + Array("\u{E9}1".utf8)
        #expect(TwilioSignature.signedParameters(parameters) == expected)
    }

    @Test(arguments: [
        ("https://mycompany.com:1234/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),  // removes port, https
        ("http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="),  // keeps custom port
        ("https://mycompany.com/myapp.php?foo=1&bar=2", "kvajT1Ptam85bY51eRf/AJRuM3w="),  // adds 443
        ("http://mycompany.com/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4="),  // adds 80
        ("https://mycompany.com:1234/myapp.php?foo=1&bar=2", "CYn1h0gLBdNxDGkKJg6hYohgeD8="),  // custom port https
        ("https://MyCompany.com/myapp.php?foo=1&bar=2", "g9IN/x4Cft2g517EjYvEvM/W7LU="),  // case kept
        ("https://MyCompany.com:1234/myapp.php?foo=1&bar=2", "PCqOZm8cnu/L6+u5i5fuEd+Iac4="),
        ("http://MyCompany.com/myapp.php?foo=1&bar=2", "XY7AlKOKL6im4yWyX84gldUrtis="),
        ("http://username:password@MyCompany.com/myapp.php?foo=1&bar=2", "PJ08CxXr7KLPjEQCTc8LkUSMwSM="),
        ("HTTP://username:password@MyCompany.com/myapp.php?foo=1&bar=2", "hy/l8pca+LFms4cvRdv8uiP6NGc="),
        ("http://Username:Password@MyCompany.com/myapp.php?foo=1&bar=2", "SkTSKyDJH9kUlhItI0slbgZ1UsI="),
    ])
    func officialPortAndCaseVectors(url: String, signature: String) {
        #expect(Self.valid(signature, url))
    }

    @Test(arguments: [
        "https://MyCompany.com/myapp.php?foo=1&bar=2", "https://MyCompany.com:1234/myapp.php?foo=1&bar=2",
        "http://MyCompany.com/myapp.php?foo=1&bar=2",
    ])
    func officialMixedCaseRejections(url: String) {
        #expect(!Self.valid("RSOYDt4T1cUTdK1PDd93/VVr8B8=", url))
    }

    @Test func wrongOrMissingSignaturesFail() {
        #expect(!Self.valid("NOTRSOYDt4T1cUTdK1PDd93/VVr8B8=", Self.url))
        #expect(
            !TwilioSignature.isValid(signature: nil, authToken: Self.token, url: Self.url, parameters: Self.parameters))
        #expect(!Self.valid("RSOYDt4T1cUTdK1PDd93/VVr8B8=", Self.url, token: "12346"))
    }

    @Test func aTamperedParameterFails() {
        var tampered = Self.parameters
        tampered[2].value = "9999"
        #expect(
            !TwilioSignature.isValid(
                signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", authToken: Self.token, url: Self.url, parameters: tampered))
        #expect(
            !TwilioSignature.isValid(
                signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", authToken: Self.token, url: Self.url,
                parameters: Self.parameters + [("Extra", "1")]))
        #expect(!Self.valid("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "https://mycompany.com/myapp.php?foo=1&bar=3"))
    }

    @Test func bodyHashVectors() {
        #expect(SHA256.hexHash(Self.body) == Self.bodyHash)
        let withBody = Self.url + "&bodySHA256=" + Self.bodyHash
        #expect(TwilioSignature.urlWithBodyHash(Self.url, body: Self.body) == withBody)
        #expect(
            TwilioSignature.isValid(
                signature: "a9nBmqA0ju/hNViExpshrM61xv4=", authToken: Self.token, url: withBody, body: Self.body))
        let onlyHash = "https://mycompany.com/myapp.php?bodySHA256=" + Self.bodyHash
        #expect(
            TwilioSignature.isValid(
                signature: "y77kIzt2vzLz71DgmJGsen2scGs=", authToken: Self.token, url: onlyHash, body: Self.body))
        // Without bodySHA256 in the URL a JSON body is never valid (twilio-csharp TestValidateWithBodyWithoutSignature).
        #expect(
            !TwilioSignature.isValid(
                signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", authToken: Self.token, url: Self.url, body: Self.body))
    }

    @Test func aTamperedBodyFails() {
        let withBody = Self.url + "&bodySHA256=" + Self.bodyHash
        var body = Self.body
        body[3] ^= 0x20
        #expect(
            !TwilioSignature.isValid(
                signature: "a9nBmqA0ju/hNViExpshrM61xv4=", authToken: Self.token, url: withBody, body: body))
    }

    /// twilio-node's webhooks.spec: ports and single quotes (token `s3cr3t`, no parameters).
    @Test func nodePortAndQuoteCases() {
        func sign(_ url: String) -> String { TwilioSignature.compute(authToken: "s3cr3t", url: url, parameters: []) }
        func check(_ signature: String, _ url: String) -> Bool {
            TwilioSignature.isValid(signature: signature, authToken: "s3cr3t", url: url, parameters: [])
        }
        #expect(!check(sign("https://example.com/path?test=param"), "https://example.com/path?test=param2"))
        #expect(check(sign("https://example.com:443/path?test=param"), "https://example.com:443/path?test=param"))
        #expect(check(sign("https://example.com:443/path?test=param"), "https://example.com/path?test=param"))
        #expect(check(sign("https://example.com/path?test=param"), "https://example.com:443/path?test=param"))
        // Node normalises `'` in the query to %27 before signing; Python signs it as given. Both validate.
        #expect(
            check(
                sign("https://example.com/path?test=param%27WithQuote"), "https://example.com/path?test=param'WithQuote"
            ))
        #expect(
            check(
                sign("https://example.com/path?test=param%27WithQuote"),
                "https://example.com/path?test=param%27WithQuote"))
        #expect(
            check(
                sign("https://example.com/path?test=param'WithQuote"), "https://example.com/path?test=param'WithQuote"))
    }

    @Test func proxyRewrittenURLPassesWithPublicURLOrForwardedHeaders() {
        let signature = TwilioSignature.compute(
            authToken: Self.token, url: "https://bot.example.com/whatsapp/webhook?x=1", parameters: Self.parameters)
        // Behind the proxy the server sees http://10.0.0.5:8080/whatsapp/webhook?x=1.
        #expect(!Self.valid(signature, "http://10.0.0.5:8080/whatsapp/webhook?x=1"))
        let fromPublic = TwilioSignature.signedURL(
            publicURL: "https://bot.example.com/", pathAndQuery: "/whatsapp/webhook?x=1")
        #expect(fromPublic == "https://bot.example.com/whatsapp/webhook?x=1")
        #expect(Self.valid(signature, fromPublic))
        let fromHeaders = TwilioSignature.signedURL(
            host: "10.0.0.5:8080", forwardedProto: "https, http", forwardedHost: "bot.example.com",
            pathAndQuery: "/whatsapp/webhook?x=1")
        #expect(fromHeaders == "https://bot.example.com/whatsapp/webhook?x=1")
        #expect(Self.valid(signature, fromHeaders ?? ""))
        let withoutForwarding = TwilioSignature.signedURL(
            host: "10.0.0.5:8080", forwardedProto: nil, forwardedHost: nil, pathAndQuery: "/whatsapp/webhook?x=1")
        #expect(withoutForwarding.map { Self.valid(signature, $0) } == false)
        #expect(TwilioSignature.signedURL(host: nil, forwardedProto: nil, forwardedHost: nil, pathAndQuery: "/") == nil)
    }

    @Test func formEncodingRoundTrips() {
        let pairs: [(name: String, value: String)] = [("Body", "مرحبا & hi+there=1%"), ("To", "whatsapp:+1 415")]
        let encoded = FormURLEncoding.encode(pairs)
        let decoded = FormURLEncoding.decode(Array(encoded.utf8))
        #expect(decoded?.map(\.name) == ["Body", "To"])
        #expect(decoded?.map(\.value) == ["مرحبا & hi+there=1%", "whatsapp:+1 415"])
        #expect(FormURLEncoding.decode(Array("a=%zz".utf8)) == nil)
        #expect(FormURLEncoding.decode(Array("a=%4".utf8)) == nil)
    }
}

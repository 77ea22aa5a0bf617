import Testing

@testable import Infra

/// How Twilio answers map to send results (the live mapping against the sandbox is in ServerTests).
@Suite("TwilioClient mapping", .timeLimit(.minutes(3)))
struct TwilioClientMappingTests {
    static func response(
        _ status: Int, _ body: String, headers: [(name: String, value: String)] = []
    )
        -> CurlClientResponse
    {
        CurlClientResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    @Test func created() {
        let result = TwilioClient.result(of: Self.response(201, #"{"sid":"SM0123","status":"queued","to":"x"}"#))
        #expect(result == .sent(sid: "SM0123", status: "queued"))
    }

    @Test func errors() {
        #expect(
            TwilioClient.result(of: Self.response(401, #"{"code":20003,"message":"Authenticate","status":401}"#))
                == .badCredentials(code: 20003, message: "Authenticate"))
        #expect(
            TwilioClient.result(of: Self.response(400, #"{"code":20003,"message":"Authenticate","status":400}"#))
                == .badCredentials(code: 20003, message: "Authenticate"))
        #expect(
            TwilioClient.result(
                of: Self.response(
                    429, #"{"code":20429,"message":"Too Many Requests"}"#, headers: [("retry-after", "7")]))
                == .retryLater(after: .seconds(7), reason: "20429: Too Many Requests"))
        #expect(
            TwilioClient.result(of: Self.response(503, "<html>down</html>"))
                == .retryLater(after: nil, reason: "503: HTTP 503"))
        #expect(
            TwilioClient.result(of: Self.response(400, #"{"code":21211,"message":"Invalid 'To'","status":400}"#))
                == .rejected(code: 21211, message: "Invalid 'To'"))
        #expect(TwilioClient.result(of: Self.response(404, "")) == .rejected(code: 404, message: "HTTP 404"))
    }
}

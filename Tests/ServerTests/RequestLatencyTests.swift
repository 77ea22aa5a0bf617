import HTTPTypes
import MetricsTestKit
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import Server

/// `sufra_http_request_duration_seconds`: each request timed at its connection, from its head to its response's
/// end, under the route it took (Twilio's two webhooks, or other), in arrival order when a client pipelines.
@Suite struct RequestLatencyTests {
    @Test func twilioWebhooksAreToldApartFromEverythingElse() {
        func route(_ method: HTTPRequest.Method, _ path: String) -> RequestLatencyMetrics.Route {
            RequestLatencyMetrics.route(of: HTTPRequest(method: method, scheme: nil, authority: nil, path: path))
        }
        #expect(route(.post, "/whatsapp/webhook") == .webhook)
        #expect(route(.post, "/whatsapp/webhook?restaurant=7") == .webhook)
        #expect(route(.post, "/whatsapp/status") == .status)
        #expect(route(.get, "/whatsapp/webhook") == .other)
        #expect(route(.post, "/whatsapp/webhooks") == .other)
        #expect(route(.post, "/api/orders/1/status") == .other)
        #expect(route(.get, "/health") == .other)
    }

    @Test func pipelinedRequestsAreTimedInArrivalOrderOncePerResponse() throws {
        let metrics = TestMetrics()
        let channel = EmbeddedChannel(
            handler: RequestLatencyHandler(metrics: RequestLatencyMetrics(factory: metrics)))
        func timings(_ route: String) throws -> Int {
            try metrics.expectTimer(MetricCatalog.HTTP.requestDuration, [("route", route)]).values.count
        }
        // Two requests before any answer, as a pipelining client sends them.
        for (method, path) in [(HTTPRequest.Method.post, "/whatsapp/webhook"), (.get, "/health")] {
            let head = HTTPRequest(method: method, scheme: nil, authority: nil, path: path)
            try channel.writeInbound(HTTPRequestPart.head(head))
            try channel.writeInbound(HTTPRequestPart.end(nil))
        }
        #expect(try timings("webhook") == 0 && timings("other") == 0, "nothing is timed before its answer ends")

        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        #expect(try timings("webhook") == 0, "a response is timed at its end, not its head")
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        #expect(try timings("webhook") == 1 && timings("other") == 0, "the first answer is the first request's")

        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        #expect(try timings("webhook") == 1 && timings("other") == 1)

        // A response's end with no request waiting records nothing.
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        #expect(try timings("webhook") == 1 && timings("other") == 1)
        let durations = try metrics.expectTimer(MetricCatalog.HTTP.requestDuration, [("route", "webhook")]).values
        #expect(durations.allSatisfy { $0 >= 0 })
        _ = try channel.finish()
    }
}

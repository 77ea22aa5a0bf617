import HTTPTypes
import Metrics

/// `sufra_http_request_duration_seconds`: how long a request spent in the server as its connection saw it, from its
/// head decoded to its response's end written, by route (docs/metrics.md).
///
/// It covers what ``SufraMetrics``' handler timer (`sufra_webhook_duration_seconds`) cannot: the wait for the
/// handler to start (the connection's task waiting for a thread) and the way back to the socket. The difference
/// between the two is queueing inside the server.
struct RequestLatencyMetrics: Sendable {
    /// The routes told apart: Twilio's two webhooks, and everything else.
    enum Route: String, Sendable {
        case webhook
        case status
        case other
    }

    private let webhook: Metrics.Timer
    private let status: Metrics.Timer
    private let other: Metrics.Timer

    /// The three series, created by `factory`.
    init(factory: any MetricsFactory) {
        func timer(_ route: Route) -> Metrics.Timer {
            Metrics.Timer(
                label: MetricCatalog.HTTP.requestDuration, dimensions: [("route", route.rawValue)], factory: factory)
        }
        webhook = timer(.webhook)
        status = timer(.status)
        other = timer(.other)
    }

    /// Records one request of `route` that took `nanoseconds`.
    func record(_ route: Route, nanoseconds: Int64) {
        switch route {
        case .webhook: webhook.recordNanoseconds(nanoseconds)
        case .status: status.recordNanoseconds(nanoseconds)
        case .other: other.recordNanoseconds(nanoseconds)
        }
    }

    /// The route of a request: a POST to one of Twilio's webhook paths (query ignored), or other.
    static func route(of head: HTTPRequest) -> Route {
        guard head.method == .post, let target = head.path else { return .other }
        let path = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target[..<$0] } ?? target[...]
        if path == WebhookController.path { return .webhook }
        if path == StatusCallbackController.path { return .status }
        return .other
    }
}

import Actors
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /whatsapp/webhook`: decodes Twilio's form, then lets the ``Supervisor`` run admission, and maps its
/// verdict to the status codes of CONTRACT.md §3.
struct WebhookController: Sendable {
    let supervisor: Supervisor
    let publicURL: String?
    let trustedProxies: TrustedProxies
    let metrics: SufraMetrics

    func addRoutes(to router: Router<some RequestContext>) {
        router.post("/whatsapp/webhook") { request, context in
            try await handle(request, context: context)
        }
    }

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let started = ContinuousClock.now
        metrics.webhooksReceived.increment()
        let peer = (context as? any RemoteAddressRequestContext)?.remoteAddress
        let response = await answer(request, peer: peer)
        metrics.webhookDuration.observe(ContinuousClock.now - started)
        return response
    }

    private func answer(_ request: Request, peer: SocketAddress?) async -> Response {
        var request = request
        let form: FormBody
        do {
            form = try await FormBody.read(&request)
        } catch {
            return fail(error.status, error.reason)
        }
        guard let messageSid = nonEmpty(form["MessageSid"]), let from = nonEmpty(form["From"]),
            let to = nonEmpty(form["To"])
        else { return fail(.badRequest, "MessageSid, From and To are required") }

        let inbound = InboundRequest(
            parameters: form.pairs, signature: request.headers[.twilioSignature],
            signedURL: SignedURL.of(request, publicURL: publicURL, peer: peer, trustedProxies: trustedProxies))
        switch await supervisor.receive(inbound, messageSid: messageSid, from: from, to: to) {
        case .unknownRestaurant:
            return fail(.notFound, "unknown_restaurant", body: "no restaurant has this number")
        case .badSignature:
            return fail(.forbidden, "bad_signature", body: "invalid X-Twilio-Signature")
        case .duplicate:
            metrics.webhooksDuplicate.increment()
            return TwiML.ok()
        case .throttled(let bucket, let retryAfter):
            metrics.webhooksFailed(reason: "throttled_\(bucket.rawValue)")
            return Response(
                status: .tooManyRequests, headers: [.retryAfter: String(retryAfter), .contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "rate limited (\(bucket.rawValue))\n")))
        case .accepted:
            metrics.webhooksProcessed.increment()
            metrics.messagesReceived.increment()
            return TwiML.ok()
        case .unavailable:
            return fail(.serviceUnavailable, "storage_unavailable", body: "storage unavailable, retry later")
        }
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private func fail(_ status: HTTPResponse.Status, _ reason: String, body: String? = nil) -> Response {
        metrics.webhooksFailed(reason: reasonLabel(status, reason))
        return Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: (body ?? reason) + "\n")))
    }

    private func reasonLabel(_ status: HTTPResponse.Status, _ reason: String) -> String {
        switch status {
        case .badRequest: "bad_request"
        case .contentTooLarge: "too_large"
        default: reason
        }
    }
}

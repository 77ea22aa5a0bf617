import Actors
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore

/// `POST /whatsapp/webhook`: decodes Twilio's form, then lets the ``Supervisor`` run admission, and maps its
/// verdict to the status codes of docs/inbound.md.
struct WebhookController: Sendable {
    let supervisor: Supervisor
    let publicURL: String?
    let trustedProxies: TrustedProxies
    let metrics: SufraMetrics
    /// Routes `To` to a restaurant id for the log metadata (the Supervisor routes for real).
    let directory: TenantDirectory
    let logger: Logger

    /// Where Twilio posts inbound messages.
    static let path = "/whatsapp/webhook"

    func addRoutes(to router: Router<some RequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in
            try await handle(request, context: context)
        }
    }

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let started = ContinuousClock.now
        metrics.webhooksReceived.increment()
        let peer = (context as? any RemoteAddressRequestContext)?.remoteAddress
        // Every log line written while this webhook is handled carries its request id (RequestLogContext).
        let requestID = request.headers.firstValue(.twilioIdempotencyToken) ?? RequestLogContext.freshRequestID()
        let response = await RequestLogContext.$metadata.withValue([RequestLogContext.requestIDKey: "\(requestID)"]) {
            await answer(request, peer: peer)
        }
        metrics.webhookDuration.record(duration: ContinuousClock.now - started)
        return response
    }

    private func answer(_ request: Request, peer: SocketAddress?) async -> Response {
        var request = request
        let form: FormBody
        do {
            form = try await FormBody.read(&request)
        } catch {
            logger.debug("webhook refused", metadata: ["reason": "\(error.reason)"])
            return fail(error.status, error.reason)
        }
        guard let messageSid = nonEmpty(form["MessageSid"]), let from = nonEmpty(form["From"]),
            let to = nonEmpty(form["To"])
        else {
            logger.debug("webhook refused", metadata: ["reason": "missing MessageSid, From or To"])
            return fail(.badRequest, "MessageSid, From and To are required")
        }
        let inbound = InboundRequest(
            parameters: form.pairs, signature: request.headers.firstValue(.twilioSignature),
            signedURL: SignedURL.of(request, publicURL: publicURL, peer: peer, trustedProxies: trustedProxies))
        // From here on every log line also names the restaurant.
        var metadata = RequestLogContext.metadata
        if let restaurantID = directory.tenant(forNumber: to)?.id {
            metadata[RequestLogContext.restaurantIDKey] = "\(restaurantID)"
        }
        return await RequestLogContext.$metadata.withValue(metadata) {
            let response = await admit(inbound, messageSid: messageSid, from: from, to: to)
            logger.debug("webhook answered", metadata: ["status": "\(response.status.code)", "sid": "\(messageSid)"])
            return response
        }
    }

    private func admit(_ inbound: InboundRequest, messageSid: String, from: String, to: String) async -> Response {
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

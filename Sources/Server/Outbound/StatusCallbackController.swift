import Actors
import HTTPTypes
import Hummingbird
import Infra
import Logging
import NIOCore

/// `POST /whatsapp/status`: Twilio's delivery receipts (docs/outbound.md). Routed by `From` (the restaurant's
/// number), signature-checked like the webhook, the status moved forward only, `message.status` published. The
/// `job` query parameter (set by the sender) lets a receipt settle a send whose answer was lost: the job adopts
/// the receipt's `MessageSid`.
struct StatusCallbackController: Sendable {
    let directory: TenantDirectory
    let signatures: any SignatureVerifying
    let queue: OutboundQueue
    let events: any LiveEventPublishing
    let publicURL: String?
    let trustedProxies: TrustedProxies
    let logger: Logger
    /// Receipts can overtake the send's own commit of the sid (Twilio posts `queued` before we record the 201):
    /// an unknown sid is looked up again this many times, `lookupDelay` apart, before it is logged and dropped.
    var lookupRetries = 5
    var lookupDelay: Duration = .milliseconds(100)

    func addRoutes(to router: Router<some RequestContext>) {
        router.post("/whatsapp/status") { request, context in
            try await handle(request, peer: (context as? any RemoteAddressRequestContext)?.remoteAddress)
        }
    }

    func handle(_ request: Request, peer: SocketAddress?) async throws -> Response {
        var request = request
        let form: FormBody
        do {
            form = try await FormBody.read(&request)
        } catch {
            return plain(error.status, error.reason)
        }
        guard let sid = nonEmpty(form["MessageSid"]), let from = nonEmpty(form["From"]),
            let status = nonEmpty(form["MessageStatus"])
        else { return plain(.badRequest, "MessageSid, MessageStatus and From are required") }
        guard let tenant = directory.tenant(forNumber: from) else {
            return plain(.notFound, "no restaurant has this number")
        }
        guard let signature = request.headers[.twilioSignature],
            signatures.isValid(
                signature: signature,
                url: SignedURL.of(request, publicURL: publicURL, peer: peer, trustedProxies: trustedProxies),
                parameters: form.pairs,
                authToken: tenant.authToken)
        else { return plain(.forbidden, "invalid X-Twilio-Signature") }

        let update: OutboundQueue.StatusUpdate?
        do {
            update = try await apply(
                restaurantId: tenant.id, sid: sid, status: status, errorCode: nonEmpty(form["ErrorCode"]),
                errorMessage: nonEmpty(form["ErrorMessage"]), jobId: request.uri.queryParameters.get("job"))
        } catch {
            logger.warning("status callback not stored", metadata: ["sid": "\(sid)", "error": "\(error)"])
            return plain(.serviceUnavailable, "storage unavailable, retry later")
        }
        guard let update else {
            logger.notice(
                "status callback for an unknown MessageSid", metadata: ["sid": "\(sid)", "status": "\(status)"])
            return TwiML.ok()
        }
        if update.applied {
            events.publish(
                LiveEvent(
                    kind: .messageStatus, restaurantId: tenant.id, at: ISO8601.now(), dataJSON: update.message.json))
        }
        return TwiML.ok()
    }

    private func apply(
        restaurantId: String, sid: String, status: String, errorCode: String?, errorMessage: String?, jobId: String?
    ) async throws -> OutboundQueue.StatusUpdate? {
        var remaining = lookupRetries
        while true {
            // The job's worker records its own answer; only a receipt that waited in vain gives the job its sid.
            if let update = try await queue.applyStatus(
                restaurantId: restaurantId, sid: sid, status: status, errorCode: errorCode, errorMessage: errorMessage,
                jobId: jobId, adoptWhileSending: remaining == 0)
            {
                return update
            }
            guard remaining > 0 else { return nil }
            remaining -= 1
            try await Task.sleep(for: lookupDelay)
        }
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}

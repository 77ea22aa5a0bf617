import Actors
import HTTPTypes
import Hummingbird
import Infra
import Logging
import NIOCore

/// `POST /whatsapp/status`: Twilio's delivery receipts (docs/outbound.md). Admitted like a webhook — the
/// ``Supervisor`` routes by `From` (the restaurant's number) to the restaurant's ``TenantActor``, which checks the
/// signature with the restaurant's current token — then stored through ``GroupCommitOutcomes`` with the other
/// outcomes of its batch (one transaction), the status moved forward only, `message.status` published. The `job`
/// query parameter (set by the sender) lets a receipt settle a send whose answer was lost: the job adopts the
/// receipt's `MessageSid`. Nothing here waits or polls: an unknown sid is acknowledged and logged at once. Like a
/// webhook, a receipt has one deadline (`WEBHOOK_DEADLINE_MS` from its arrival): a database that does not answer by
/// then gets Twilio a 503, not a silence.
struct StatusCallbackController: Sendable {
    let supervisor: Supervisor
    let outcomes: GroupCommitOutcomes
    let events: any LiveEventPublishing
    let publicURL: String?
    let trustedProxies: TrustedProxies
    /// How long a receipt may wait for its batch's commit before it is answered 503 (`WEBHOOK_DEADLINE_MS`).
    let timeout: Duration
    let logger: Logger

    /// Where Twilio posts delivery receipts.
    static let path = "/whatsapp/status"

    func addRoutes(to router: Router<some RequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in
            try await handle(request, peer: (context as? any RemoteAddressRequestContext)?.remoteAddress)
        }
    }

    func handle(_ request: Request, peer: SocketAddress?) async throws -> Response {
        let deadline = ContinuousClock.now.advanced(by: timeout)
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
        let inbound = InboundRequest(
            parameters: form.pairs, signature: request.headers.firstValue(.twilioSignature),
            signedURL: SignedURL.of(request, publicURL: publicURL, peer: peer, trustedProxies: trustedProxies))
        let restaurantId: String
        switch await supervisor.admitReceipt(inbound, from: from) {
        case .admitted(let id): restaurantId = id
        case .unknownRestaurant: return plain(.notFound, "no restaurant has this number")
        case .badSignature: return plain(.forbidden, "invalid X-Twilio-Signature")
        case .unavailable(let reason): return plain(.serviceUnavailable, reason)
        }

        let receipt = DeliveryReceipt(
            restaurantId: restaurantId, sid: sid, status: status, errorCode: nonEmpty(form["ErrorCode"]),
            errorMessage: nonEmpty(form["ErrorMessage"]), jobId: request.uri.queryParameters.get("job"))
        let update: OutboundQueue.StatusUpdate?
        do {
            update = try await outcomes.applyStatus(receipt, deadline: deadline)
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
                    kind: .messageStatus, restaurantId: restaurantId, at: ISO8601.now(), dataJSON: update.message.json))
        }
        return TwiML.ok()
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

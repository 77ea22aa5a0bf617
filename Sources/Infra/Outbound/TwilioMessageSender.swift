import Actors

/// ``OutboundMessageSending`` over Twilio's Messages API (``TwilioClient``): free text as `Body`, templates as
/// `ContentSid` + `ContentVariables`, `StatusCallback` = `PUBLIC_URL/whatsapp/status` when a public URL is set.
public struct TwilioMessageSender: OutboundMessageSending {
    private let client: TwilioClient
    private let statusCallback: String?

    /// A sender through `client`; `publicURL` (no trailing slash) makes Twilio post delivery receipts back.
    public init(client: TwilioClient, publicURL: String?) {
        self.client = client
        self.statusCallback = publicURL.map { $0 + "/whatsapp/status" }
    }

    public func send(_ job: OutboundJob, tenant: TenantConfig) async -> SendOutcome {
        let content: OutboundTwilioMessage.Content =
            if let contentSid = job.contentSid {
                .template(contentSid: contentSid, variables: job.contentVariables)
            } else {
                .body(job.body ?? "")
            }
        let message = OutboundTwilioMessage(
            to: job.customer, from: tenant.whatsappFrom, content: content, statusCallback: statusCallback)
        let account = TwilioAccount(sid: tenant.accountSid, authToken: tenant.authToken)
        switch await client.send(account: account, message: message) {
        case .sent(let sid, _): return .sent(sid: sid)
        case .retryLater(let after, let reason): return .retryLater(after: after, reason: reason)
        case .rejected(let code, let message): return .rejected(code: code, message: message)
        case .badCredentials(let code, let message): return .badCredentials(code: code, message: message)
        }
    }
}

import Actors
import Foundation

/// ``OutboundMessageSending`` over Twilio's Messages API (``TwilioClient``): free text as `Body`, templates as
/// `ContentSid` + `ContentVariables`, `StatusCallback` = `PUBLIC_URL/whatsapp/status?job=<message id>` when a public
/// URL is set (the job id lets a receipt settle a send whose answer was lost).
public struct TwilioMessageSender: OutboundMessageSending {
    private let client: TwilioClient
    private let statusCallback: String?

    /// A sender through `client`; `publicURL` (no trailing slash) makes Twilio post delivery receipts back.
    public init(client: TwilioClient, publicURL: String?) {
        self.client = client
        self.statusCallback = publicURL.map { $0 + "/whatsapp/status" }
    }

    /// The receipt URL of `job`: the job id rides along (Twilio signs the URL with its query).
    func statusCallback(for job: OutboundJob) -> String? {
        statusCallback.map { $0 + "?job=" + FormURLEncoding.escape(job.id) }
    }

    public func send(_ job: OutboundJob, tenant: TenantConfig) async -> SendOutcome {
        let content: OutboundTwilioMessage.Content =
            if let contentSid = job.contentSid {
                .template(contentSid: contentSid, variables: job.contentVariables)
            } else {
                .body(job.body ?? "")
            }
        let message = OutboundTwilioMessage(
            to: job.customer, from: tenant.whatsappFrom, content: content, statusCallback: statusCallback(for: job))
        let account = TwilioAccount(sid: tenant.accountSid, authToken: tenant.authToken)
        switch await client.send(account: account, message: message) {
        case .sent(let sid, _): return .sent(sid: sid)
        case .retryLater(let after, let reason): return .retryLater(after: after, reason: reason)
        case .uncertain(let reason): return .uncertain(reason: reason)
        case .rejected(let code, let message): return .rejected(code: code, message: message)
        case .badCredentials(let code, let message): return .badCredentials(code: code, message: message)
        }
    }

    public func find(_ job: OutboundJob, tenant: TenantConfig) async -> SentMessageLookup {
        // Without a first attempt on record (claimed before migration 4), look back ten minutes.
        let since = job.firstAttemptMicros.map { $0 / 1_000_000 } ?? (Self.nowSeconds() - 600)
        let result = await client.findMessage(
            account: TwilioAccount(sid: tenant.accountSid, authToken: tenant.authToken), to: job.customer,
            from: tenant.whatsappFrom, body: job.contentSid == nil ? (job.body ?? "") : nil, since: since,
            excluding: job.otherSids)
        switch result {
        case .found(let sid): return .found(sid: sid)
        case .notFound: return .notFound
        case .failed(let reason): return .failed(reason: reason)
        }
    }

    private static func nowSeconds() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }
}

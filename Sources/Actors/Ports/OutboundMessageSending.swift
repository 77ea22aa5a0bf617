/// Hands one message to the provider (Twilio's Messages API in Infra) with the restaurant's credentials.
public protocol OutboundMessageSending: Sendable {
    /// One attempt; every failure is an outcome, nothing throws.
    func send(_ job: OutboundJob, tenant: TenantConfig) async -> SendOutcome

    /// Looks for `job` among the messages the provider accepted since its first attempt (Twilio's Messages list,
    /// matched by recipient, sender, body and time), for an uncertain job before it is sent again.
    func find(_ job: OutboundJob, tenant: TenantConfig) async -> SentMessageLookup
}

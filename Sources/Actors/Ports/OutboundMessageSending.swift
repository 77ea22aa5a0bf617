/// Hands one message to the provider (Twilio's Messages API in Infra) with the restaurant's credentials.
public protocol OutboundMessageSending: Sendable {
    /// One attempt; every failure is an outcome, nothing throws.
    func send(_ job: OutboundJob, tenant: TenantConfig) async -> SendOutcome
}

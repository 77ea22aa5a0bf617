extension TenantActor {
    /// Checks a status callback: signature with the restaurant's current token (`latest`, the directory's newest
    /// snapshot, adopted here when it changed), exactly as a webhook's. No token is taken from the inbound buckets:
    /// receipts are Twilio's bookkeeping, not customer traffic.
    public func admitReceipt(_ request: InboundRequest, config latest: TenantConfig) -> Bool {
        if latest != config { reconfigure(latest) }
        guard let signature = request.signature else { return false }
        return dependencies.signatures.isValid(
            signature: signature, url: request.signedURL, parameters: request.parameters, authToken: config.authToken)
    }
}

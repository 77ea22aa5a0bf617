extension Supervisor {
    /// Admits one status callback the way a webhook is admitted: routed by its `From` (the restaurant's number)
    /// through the TenantDirectory to the restaurant's ``TenantActor``, which checks the signature with the
    /// restaurant's current token (docs/outbound.md, "Receipts").
    public func admitReceipt(_ request: InboundRequest, from: String) async -> ReceiptAdmission {
        guard let config = directory.tenant(forNumber: from) else {
            return directory.isLoaded ? .unknownRestaurant : .unavailable("restaurant directory not loaded yet")
        }
        guard await tenant(for: config).admitReceipt(request, config: config) else { return .badSignature }
        return .admitted(restaurantId: config.id)
    }
}

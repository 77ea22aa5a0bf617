/// Where the group commit hands the replies it writes **born claimed** (docs/outbound.md, "Born claimed"): this
/// process's lease name and length, and each restaurant's bounded ``OutboundChannel`` feeding its send loop.
public protocol OutboundHandoff: Sendable {
    /// This process's name in `lease_owner`.
    var leaseOwner: String { get }
    /// How long a born-claimed row is leased (the claim's lease).
    var leaseDuration: Duration { get }

    /// Reserves room for `count` jobs in `restaurantId`'s channel (starting its send loop if it has none) and
    /// returns the channel; nil when there is no room or no live loop to take them (the replies are queued).
    func reserve(restaurantId: String, count: Int) -> OutboundChannel?
}

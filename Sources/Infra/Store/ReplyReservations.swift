import Actors

/// One group-commit batch's room in the restaurants' outbound channels, reserved before its transaction so its
/// replies can be written born claimed (docs/outbound.md, "Born claimed"), handed over after the commit, given
/// back if the transaction fails.
struct ReplyReservations {
    private struct Held {
        var channel: OutboundChannel
        var count: Int
    }

    private var held: [String: Held] = [:]
    private var claim: ReplyRowsWriter.Claim?
    /// When the rows' lease ends at the latest (taken before the transaction starts).
    private var leaseDeadline = ContinuousClock.now

    /// No reservation: every reply is queued.
    init() {}

    /// Reserves, per restaurant, room for all the replies the batch's steps may write; a restaurant whose channel
    /// has no room for all of them gets none (its replies are queued).
    init(replies: [(restaurantId: String, count: Int)], handoff: (any OutboundHandoff)?) {
        guard let handoff else { return }
        var wanted: [String: Int] = [:]
        for (restaurant, count) in replies where count > 0 { wanted[restaurant, default: 0] += count }
        guard !wanted.isEmpty else { return }
        leaseDeadline = ContinuousClock.now.advanced(by: handoff.leaseDuration)
        claim = ReplyRowsWriter.Claim(
            owner: handoff.leaseOwner, leaseMilliseconds: OutboundQueue.milliseconds(handoff.leaseDuration))
        for (restaurant, count) in wanted {
            if let channel = handoff.reserve(restaurantId: restaurant, count: count) {
                held[restaurant] = Held(channel: channel, count: count)
            }
        }
    }

    /// The lease per restaurant with room reserved.
    var claims: [String: ReplyRowsWriter.Claim] {
        guard let claim else { return [:] }
        return held.mapValues { _ in claim }
    }

    /// After the commit: the born-claimed jobs go into their channels, the unused room is given back.
    func deliver(_ bornClaimed: [String: [OutboundJob]]) {
        for (restaurant, reservation) in held {
            let entries = (bornClaimed[restaurant] ?? []).map {
                OutboundChannel.Entry(job: $0, leaseDeadline: leaseDeadline)
            }
            reservation.channel.deliver(entries, reserved: reservation.count)
        }
    }

    /// The transaction did not commit: all the room goes back.
    func release() {
        for reservation in held.values { reservation.channel.release(reservation.count) }
    }
}

extension OutboundQueue {
    /// Takes back the leases of a slot's earlier holders (call it only while holding the slot's ``LeaseSlot``,
    /// which proves they are gone): every row still `sending` under an owner of `slot` goes back to `queued`
    /// marked `send_uncertain`, exactly as the reaper puts back an expired lease, but due `settle` from now rather
    /// than after the lease's end. The holder may have reached Twilio before it died, so the next claim looks each
    /// one up before any resend; `settle` gives Twilio's Messages list the same time to show a just-accepted
    /// message as an uncertain send's first backoff does. Returns the restaurants concerned.
    public func takeBack(slot: String, settle: Duration) async throws -> [String] {
        let rows = try await client.query(
            """
            UPDATE messages SET status = 'queued', status_rank = 0, lease_owner = NULL, lease_until = NULL,
                next_attempt_at = now() + \(Self.milliseconds(settle)) * interval '1 millisecond',
                send_uncertain = true
            WHERE status = 'sending' AND starts_with(lease_owner, \(LeaseIdentity.ownerPrefix(slot: slot)))
            RETURNING restaurant_id::text AS restaurant_id
            """)
        return Array(Set(try rows.map { try $0.decode("restaurant_id", as: String.self) }))
    }
}

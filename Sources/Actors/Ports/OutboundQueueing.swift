/// The durable outbound queue as the sender sees it (PostgreSQL in Infra): claim due jobs, record outcomes.
public protocol OutboundQueueing: Sendable {
    /// How long a claim holds a job; the sender keeps trying to record an outcome for this long at most.
    var leaseDuration: Duration { get }

    /// Claims up to `limit` due jobs of one restaurant (leased to this process), oldest first, never a message
    /// while an earlier one of the same conversation is still queued or sending, nothing for a restaurant that is
    /// not active.
    func claim(restaurantId: String, limit: Int) async throws -> [OutboundJob]

    /// Records `decision` for a job this process claimed, fenced by the lease: nothing changes unless the row is
    /// still `sending` under this process's lease (a late result of a reaped lease must not overwrite what another
    /// process recorded).
    func complete(_ job: OutboundJob, with decision: OutboundDecision) async throws -> OutboundCompletion

    /// Gives jobs this process holds but never attempted back to the queue (`queued`, due now, no attempt used,
    /// not uncertain), fenced by the lease like a completion: a paused restaurant's or a stopping loop's
    /// born-claimed jobs, or ones whose lease would end before their turn.
    func release(_ jobs: [OutboundJob]) async throws
}

/// What recording an outcome did.
public struct OutboundCompletion: Sendable, Equatable {
    /// The message as it now stands; nil when the lease was lost (reaped, or settled by a receipt) and nothing
    /// was written.
    public var message: MessageRecord?
    /// For ``OutboundDecision/credentialsRejected(reason:credentialsVersion:)``: whether the restaurant was made
    /// inactive (false when its credentials changed since the failing send, or it was not active).
    public var deactivatedRestaurant: Bool

    /// Creates a completion.
    public init(message: MessageRecord?, deactivatedRestaurant: Bool = false) {
        self.message = message
        self.deactivatedRestaurant = deactivatedRestaurant
    }

    /// Nothing written: the lease was no longer this process's.
    public static let leaseLost = OutboundCompletion(message: nil)
}

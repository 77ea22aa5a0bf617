/// Limits and timings of an `ActorRegistry`.
public struct RegistryConfiguration: Hashable, Sendable {
    /// Per-key mailbox high watermark: at this many queued messages senders are refused or suspended.
    public var mailboxHighWatermark: Int
    /// Per-key mailbox low watermark: suspended senders are admitted again at this level.
    public var mailboxLowWatermark: Int
    /// Maximum live entities; at the cap the least recently used idle one is passivated to make room.
    public var maxEntities: Int
    /// An entity idle this long is passivated (checked every `sweepInterval`, so it may live up to one more).
    public var idleTimeout: Duration
    /// How often the sweeper looks for idle entities.
    public var sweepInterval: Duration
    /// Most messages a consumer takes from its mailbox per lock acquisition.
    public var maxBatch: Int
    /// How long a graceful shutdown waits for mailboxes to drain before failing what is left.
    public var drainTimeout: Duration
    /// Restart limits for broken entities and failing factories.
    public var restartPolicy: RestartPolicy
    /// How late an asker whose deadline passed may be answered (`ask(…, timeout:)`): the deadline loop's period.
    public var deadlineResolution: Duration

    /// A configuration; defaults: 256/128 watermarks, 100,000 entities, 5 min idle, 64-message batches.
    public init(
        mailboxHighWatermark: Int = 256,
        mailboxLowWatermark: Int? = nil,
        maxEntities: Int = 100_000,
        idleTimeout: Duration = .seconds(300),
        sweepInterval: Duration? = nil,
        maxBatch: Int = 64,
        drainTimeout: Duration = .seconds(10),
        restartPolicy: RestartPolicy = .init(),
        deadlineResolution: Duration = .milliseconds(50)
    ) {
        self.mailboxHighWatermark = max(mailboxHighWatermark, 1)
        self.mailboxLowWatermark = mailboxLowWatermark ?? self.mailboxHighWatermark / 2
        self.maxEntities = max(maxEntities, 1)
        self.idleTimeout = idleTimeout
        self.sweepInterval = sweepInterval ?? max(idleTimeout / 4, .milliseconds(1))
        self.maxBatch = max(maxBatch, 1)
        self.drainTimeout = drainTimeout
        self.restartPolicy = restartPolicy
        self.deadlineResolution = deadlineResolution
    }

    /// Number of sweeps an entity must sit idle through before it is passivated.
    var idleSweeps: UInt64 {
        let ratio = idleTimeout.seconds / max(sweepInterval.seconds, 1e-9)
        return UInt64(max(ratio.rounded(.up), 1))
    }
}

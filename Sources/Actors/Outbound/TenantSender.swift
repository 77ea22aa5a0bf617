import Logging
import Runtime
import ServiceLifecycle
import Synchronization

/// One restaurant's send loop: claims its due jobs from the durable queue, paces them with the restaurant's token
/// bucket (capacity `ceil(sendPerMinute / 6)`, refill `sendPerMinute / 60` per second), keeps at most
/// `concurrency` sends in flight, and records each outcome.
///
/// The loop never holds more claimed jobs than it may send right now (tokens available and free concurrency
/// slots), so the in-memory channel between the queue and the sends is bounded by `concurrency`. Each restaurant
/// has its own loop, claims only its own rows and waits only on its own bucket: a restaurant with 100,000 queued
/// messages never delays another's reply. Wake-ups come from ``wake`` (LISTEN/NOTIFY, fallback poll, a finished
/// send); ``run(retire:)`` returns when the restaurant has been idle for `idleTimeout` and `retire` agrees.
public final class TenantSender: Sendable {
    /// Pacing and lifetime.
    public struct Settings: Sendable, Hashable {
        /// Sends in flight at most (per restaurant, per process).
        public var concurrency = 32
        /// Jobs claimed in one round trip at most.
        public var maximumBatch = 50
        /// Longest wait without a wake-up before looking at the queue again.
        public var pollInterval: Duration = .seconds(2)
        /// Idle time after which the loop ends (it comes back on the next wake-up).
        public var idleTimeout: Duration = .seconds(30)

        /// The defaults.
        public init() {}
    }

    /// What the loop talks to.
    public struct Dependencies: Sendable {
        public var queue: any OutboundQueueing
        public var sender: any OutboundMessageSending
        public var directory: TenantDirectory
        public var events: any LiveEventPublishing
        public var hooks: OutboundHooks
        public var policy: OutboundRetryPolicy
        public var now: @Sendable () -> String
        public var logger: Logger

        /// Bundles the dependencies.
        public init(
            queue: any OutboundQueueing, sender: any OutboundMessageSending, directory: TenantDirectory,
            events: any LiveEventPublishing, hooks: OutboundHooks = OutboundHooks(),
            policy: OutboundRetryPolicy = OutboundRetryPolicy(), now: @escaping @Sendable () -> String,
            logger: Logger
        ) {
            self.queue = queue
            self.sender = sender
            self.directory = directory
            self.events = events
            self.hooks = hooks
            self.policy = policy
            self.now = now
            self.logger = logger
        }
    }

    /// The restaurant.
    public let restaurantId: String
    /// Signalled when there may be work (a notification, a poll, a finished send, a status change).
    public let wake = WakeSignal()
    private let settings: Settings
    private let dependencies: Dependencies
    private let inFlight = Atomic<Int>(0)

    /// A loop for `restaurantId`.
    public init(restaurantId: String, settings: Settings, dependencies: Dependencies) {
        self.restaurantId = restaurantId
        self.settings = settings
        self.dependencies = dependencies
    }

    /// Sends in flight now.
    public var sendsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Runs until cancelled, shut down gracefully (in-flight sends finish first), or idle and retired. Throws
    /// when the queue fails (the supervisor restarts the loop).
    public func run(retire: @escaping @Sendable () -> Bool) async throws {
        let clock = ContinuousClock()
        var pacing: (rate: Int, bucket: TokenBucket<ContinuousClock.Instant>)?
        var lastWork = clock.now
        try await withThrowingDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                guard let tenant = dependencies.directory.tenant(id: restaurantId), tenant.status == .active else {
                    if sendsInFlight == 0, lastWork.duration(to: clock.now) >= settings.idleTimeout, retire() { return }
                    await wake.wait(timeout: settings.pollInterval)
                    continue
                }
                if pacing?.rate != tenant.sendPerMinute {
                    pacing = (tenant.sendPerMinute, TokenBucket.perMinute(tenant.sendPerMinute, now: clock.now))
                }
                let free = settings.concurrency - sendsInFlight
                guard free > 0 else {
                    await wake.wait(timeout: settings.pollInterval)
                    continue
                }
                // Pacing: wait for a token before claiming, so claimed jobs never sit waiting for the bucket.
                guard var bucket = pacing?.bucket else { continue }
                if let delay = bucket.timeUntilAvailable(1, now: clock.now), delay > .zero {
                    try? await clock.sleep(for: delay)
                    continue
                }
                let tokens = max(1, Int(bucket.available(now: clock.now).rounded(.down)))
                let jobs = try await dependencies.queue.claim(
                    restaurantId: restaurantId, limit: min(tokens, free, settings.maximumBatch))
                if jobs.isEmpty {
                    if sendsInFlight == 0, lastWork.duration(to: clock.now) >= settings.idleTimeout, retire() { return }
                    await wake.wait(timeout: settings.pollInterval)
                    continue
                }
                lastWork = clock.now
                for job in jobs {
                    _ = bucket.take(1, now: clock.now)
                    inFlight.add(1, ordering: .relaxed)
                    group.addTask {
                        await self.deliver(job, tenant: tenant)
                        self.inFlight.subtract(1, ordering: .relaxed)
                        self.wake.signal()
                    }
                }
                pacing?.bucket = bucket
            }
        }
    }

    /// One attempt for one job, and its outcome recorded.
    func deliver(_ job: OutboundJob, tenant: TenantConfig) async {
        let decision: OutboundDecision
        if job.mayBeSent {
            let outcome = await dependencies.sender.send(job, tenant: tenant)
            decision = dependencies.policy.decide(
                outcome, attemptsBefore: job.attempts, random: Double.random(in: 0..<1))
        } else {
            decision = .failed(
                code: nil, reason: "outside the WhatsApp 24-hour window: only templates may be sent", attempted: false)
        }
        let message: MessageRecord?
        do {
            message = try await dependencies.queue.complete(job, with: decision)
        } catch {
            // The lease runs out and the reaper puts the job back: a sent message may then go twice.
            dependencies.logger.error(
                "could not record an outbound outcome",
                metadata: ["message": "\(job.id)", "decision": "\(decision)", "error": "\(error)"])
            return
        }
        switch decision {
        case .sent:
            dependencies.hooks.sent(restaurantId)
            if let message {
                dependencies.events.publish(
                    LiveEvent(
                        kind: .messageSent, restaurantId: restaurantId, at: dependencies.now(), dataJSON: message.json))
            }
        case .failed, .dead:
            dependencies.hooks.failed(restaurantId)
            dependencies.logger.warning(
                "outbound message failed", metadata: ["message": "\(job.id)", "decision": "\(decision)"])
        case .credentialsRejected(let reason):
            dependencies.hooks.credentialsRejected(restaurantId, reason)
            dependencies.logger.error(
                "restaurant made inactive: Twilio rejected its credentials",
                metadata: ["restaurant": "\(restaurantId)", "reason": "\(reason)"])
        case .retry:
            break
        }
    }
}

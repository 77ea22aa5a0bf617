import Logging
import Metrics
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
///
/// A reply must never reach the customer twice: a claim error never cancels sends in flight, outcomes are recorded
/// (retried until the lease ends) with a fenced completion, and an attempt whose outcome is unknown makes the job
/// *uncertain*, so it is looked up at the provider before any resend (docs/outbound.md, "Exactly one delivery").
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
        /// Longest wait after a failed claim (the wait doubles from 100 ms).
        public var maximumClaimBackoff: Duration = .seconds(5)
        /// First wait before recording an outcome again after the database failed (doubles, at most 2 s, until the
        /// lease ends).
        public var recordRetryDelay: Duration = .milliseconds(50)

        /// The defaults.
        public init() {}
    }

    /// What the loop talks to.
    public struct Dependencies: Sendable {
        public var queue: any OutboundQueueing
        public var sender: any OutboundMessageSending
        public var directory: TenantDirectory
        public var events: any LiveEventPublishing
        /// Sent, failed and in-flight series, and the credentials alert.
        public var metrics: OutboundMetrics
        public var policy: OutboundRetryPolicy
        public var now: @Sendable () -> String
        public var logger: Logger

        /// Bundles the dependencies.
        public init(
            queue: any OutboundQueueing, sender: any OutboundMessageSending, directory: TenantDirectory,
            events: any LiveEventPublishing, metrics: OutboundMetrics = OutboundMetrics(),
            policy: OutboundRetryPolicy = OutboundRetryPolicy(), now: @escaping @Sendable () -> String,
            logger: Logger
        ) {
            self.queue = queue
            self.sender = sender
            self.directory = directory
            self.events = events
            self.metrics = metrics
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

    /// Runs until cancelled, shut down gracefully (in-flight sends finish first), or idle and retired.
    ///
    /// A failing claim (database unreachable) never ends the loop: ending it would cancel the sends in flight,
    /// whose requests may already have reached Twilio and whose outcomes could then not be recorded. The loop backs
    /// off (``Settings/maximumClaimBackoff``) and claims again; the sends finish and record as usual.
    public func run(retire: @escaping @Sendable () -> Bool) async {
        let clock = ContinuousClock()
        var pacing: (rate: Int, bucket: TokenBucket<ContinuousClock.Instant>)?
        var lastWork = clock.now
        var claimFailures = 0
        await withDiscardingTaskGroup { group in
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
                // The lease starts when the database runs the claim, after this instant: a deadline from here is
                // never later than the lease's end.
                let leaseDeadline = clock.now.advanced(by: dependencies.queue.leaseDuration)
                let jobs: [OutboundJob]
                do {
                    jobs = try await dependencies.queue.claim(
                        restaurantId: restaurantId, limit: min(tokens, free, settings.maximumBatch))
                    claimFailures = 0
                } catch {
                    claimFailures += 1
                    let delay = Self.claimBackoff(failures: claimFailures, maximum: settings.maximumClaimBackoff)
                    dependencies.logger.warning(
                        "outbound claim failed; sends in flight go on",
                        metadata: [
                            "restaurant": "\(restaurantId)", "error": "\(error)", "retryIn": "\(delay)",
                            "inFlight": "\(sendsInFlight)",
                        ])
                    try? await clock.sleep(for: delay)
                    continue
                }
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
                        await self.deliver(job, tenant: tenant, leaseDeadline: leaseDeadline)
                        self.inFlight.subtract(1, ordering: .relaxed)
                        self.wake.signal()
                    }
                }
                pacing?.bucket = bucket
            }
        }
    }

    /// The wait after `failures` claims in a row failed: 100 ms doubling, at most `maximum`.
    public static func claimBackoff(failures: Int, maximum: Duration) -> Duration {
        var delay = Duration.milliseconds(100)
        var step = 1
        while step < failures && delay < maximum {
            delay *= 2
            step += 1
        }
        return min(delay, maximum)
    }

    /// One job: looked up first when uncertain, sent when it may and must be, and its outcome recorded.
    func deliver(_ job: OutboundJob, tenant: TenantConfig, leaseDeadline: ContinuousClock.Instant) async {
        let decision = await attempt(job, tenant: tenant)
        let recorded = await dependencies.metrics.during(.recording) {
            await record(job, decision, until: leaseDeadline)
        }
        guard let completion = recorded else { return }
        guard let message = completion.message else {
            // Another process or a receipt holds the row now (our lease ran out, or Twilio's receipt settled it).
            dependencies.logger.notice(
                "outbound outcome not recorded: the lease is no longer ours",
                metadata: ["message": "\(job.id)", "decision": "\(decision)"])
            return
        }
        switch decision {
        case .sent:
            dependencies.metrics.sentCount.increment()
            dependencies.events.publish(
                LiveEvent(
                    kind: .messageSent, restaurantId: restaurantId, at: dependencies.now(), dataJSON: message.json))
        case .failed, .dead:
            dependencies.metrics.failedCount.increment()
            dependencies.logger.warning(
                "outbound message failed", metadata: ["message": "\(job.id)", "decision": "\(decision)"])
        case .credentialsRejected(let reason, let version):
            if completion.deactivatedRestaurant {
                dependencies.metrics.credentialsRejected(restaurantId: restaurantId)
                dependencies.logger.error(
                    "restaurant made inactive: Twilio rejected its credentials",
                    metadata: ["restaurant": "\(restaurantId)", "reason": "\(reason)"])
            } else {
                dependencies.logger.notice(
                    "Twilio rejected the credentials, restaurant not made inactive: its token changed since, or it is not active",
                    metadata: ["restaurant": "\(restaurantId)", "credentialsVersion": "\(version)"])
            }
        case .uncertain(_, let reason, _):
            dependencies.logger.notice(
                "outbound outcome unknown: looked up before any resend",
                metadata: ["message": "\(job.id)", "reason": "\(reason)"])
        case .retry:
            break
        }
    }

    /// The decision for one job: the 24-hour window, then for an uncertain job the provider's record (found:
    /// sent without sending; not found: sent again), then the send's outcome.
    func attempt(_ job: OutboundJob, tenant: TenantConfig) async -> OutboundDecision {
        guard job.mayBeSent else {
            return .failed(
                code: nil, reason: "outside the WhatsApp 24-hour window: only templates may be sent", attempted: false)
        }
        if job.uncertain {
            let lookup: SentMessageLookup
            if let sid = job.knownSid {
                lookup = .found(sid: sid)
            } else {
                lookup = await dependencies.metrics.during(.lookingUp) {
                    await dependencies.sender.find(job, tenant: tenant)
                }
            }
            let resolution = dependencies.policy.resolve(
                lookup, attemptsBefore: job.attempts, random: Double.random(in: 0..<1))
            if case .record(let decision) = resolution { return decision }
        }
        let outcome = await dependencies.metrics.during(.sending) {
            await dependencies.sender.send(job, tenant: tenant)
        }
        return dependencies.policy.decide(
            outcome, attemptsBefore: job.attempts, random: Double.random(in: 0..<1),
            credentialsVersion: tenant.credentialsVersion)
    }

    /// Records `decision`, retrying a failing database until the lease ends (after that the row is no longer ours:
    /// the reaper puts it back marked uncertain, so it is looked up before any resend). Nil when it could not.
    func record(
        _ job: OutboundJob, _ decision: OutboundDecision, until deadline: ContinuousClock.Instant
    ) async -> OutboundCompletion? {
        let clock = ContinuousClock()
        var delay = settings.recordRetryDelay
        while true {
            do {
                return try await dependencies.queue.complete(job, with: decision)
            } catch {
                guard clock.now.advanced(by: delay) < deadline, !Task.isCancelled else {
                    dependencies.logger.error(
                        "could not record an outbound outcome before the lease ran out (looked up before any resend)",
                        metadata: ["message": "\(job.id)", "decision": "\(decision)", "error": "\(error)"])
                    return nil
                }
                dependencies.logger.warning(
                    "recording an outbound outcome failed; retrying",
                    metadata: ["message": "\(job.id)", "error": "\(error)", "retryIn": "\(delay)"])
                try? await clock.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }
}

import Logging
import Metrics
import Runtime
import ServiceLifecycle
import Synchronization

/// One restaurant's send loop: takes the replies born claimed by this process from its bounded ``channel`` and
/// claims its other due jobs from the durable queue, paces them with the restaurant's token
/// bucket (capacity `ceil(sendPerMinute / 6)`, refill `sendPerMinute / 60` per second) — one bucket shared by every
/// process when ``Dependencies/sendTokens`` is set (``SendPacing``) —, keeps at most `concurrency` sends in
/// flight, and records each outcome.
///
/// The loop never claims more jobs than it may send right now (tokens available and free concurrency slots);
/// born-claimed jobs wait in a channel of ``Settings/channelCapacity`` at most. Each restaurant
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
        /// Born-claimed jobs the restaurant's channel holds (and reserves) at most; past it replies are queued in
        /// the database for the claim.
        public var channelCapacity = 256
        /// Lease a job must still have when its send starts (capped at a third of the lease); with less it is
        /// given back untried.
        public var minimumLeaseLeft: Duration = .seconds(20)
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
        /// The restaurants' send buckets every process shares; nil: each process paces with a bucket of its own.
        public var sendTokens: (any SendTokenLeasing)?

        /// Bundles the dependencies.
        public init(
            queue: any OutboundQueueing, sender: any OutboundMessageSending, directory: TenantDirectory,
            events: any LiveEventPublishing, metrics: OutboundMetrics = OutboundMetrics(),
            policy: OutboundRetryPolicy = OutboundRetryPolicy(), now: @escaping @Sendable () -> String,
            logger: Logger, sendTokens: (any SendTokenLeasing)? = nil
        ) {
            self.queue = queue
            self.sender = sender
            self.directory = directory
            self.events = events
            self.metrics = metrics
            self.policy = policy
            self.now = now
            self.logger = logger
            self.sendTokens = sendTokens
        }
    }

    /// The restaurant.
    public let restaurantId: String
    /// Signalled when there may be work (a notification, a poll, a finished send, a status change, a delivery to
    /// the channel).
    public let wake = WakeSignal()
    /// The restaurant's bounded outbound channel: replies born claimed by this process, waiting for this loop.
    public let channel: OutboundChannel
    private let settings: Settings
    private let dependencies: Dependencies
    private let inFlight = Atomic<Int>(0)
    /// Whether the queue may have work (a new loop looks once).
    private let claimWanted = Atomic<Bool>(true)
    private let claims = Atomic<Int>(0)
    /// Conversations with a send in flight (their next job waits: one customer's replies go in order).
    private let busy = Mutex<Set<String>>([])

    /// A loop for `restaurantId`.
    public init(restaurantId: String, settings: Settings, dependencies: Dependencies) {
        self.restaurantId = restaurantId
        self.settings = settings
        self.dependencies = dependencies
        self.channel = OutboundChannel(capacity: settings.channelCapacity, delivered: wake)
        if let tenant = dependencies.directory.tenant(id: restaurantId) {
            channel.limit(to: channelLimit(sendPerMinute: tenant.sendPerMinute))
        }
    }

    /// Sends in flight now.
    public var sendsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Runs until cancelled, shut down gracefully (in-flight sends finish first), or idle and retired.
    ///
    /// Jobs come two ways. Replies this process's group commit wrote born claimed wait in ``channel`` and are
    /// taken with no query at all; the durable queue is claimed only when there may be work there: a wake-up
    /// from outside (``requestClaim()``: a notification, the fallback poll, the reaper, a resume), the poll
    /// interval passing, or a last claim that filled its limit. Either way a customer's replies go one at a time,
    /// in order: a conversation with a send in flight waits (``OutboundChannel/take(limit:busy:)``).
    ///
    /// A failing claim (database unreachable) never ends the loop: ending it would cancel the sends in flight,
    /// whose requests may already have reached Twilio and whose outcomes could then not be recorded. The loop backs
    /// off (``Settings/maximumClaimBackoff``) and claims again; the sends finish and record as usual.
    public func run(retire: @escaping @Sendable () -> Bool) async {
        await withDiscardingTaskGroup { ticking in
            // One timer for the loop's whole life, not one per pause: each tick wakes the loop, which then looks
            // whether the poll is due or it has been idle long enough to retire (a spurious wake-up only loops).
            // A child of this group: cancelled below once the send loop and its sends have ended.
            ticking.addTask { await self.tick(every: min(self.settings.pollInterval, self.settings.idleTimeout)) }
            await withGracefulShutdownHandler {
                await sendLoop(retire: retire)
            } onGracefulShutdown: {
                self.wake.signal()
            }
            ticking.cancelAll()
        }
        // Stopped (shutdown or cancellation): jobs still waiting in the channel were never attempted.
        await giveBack(channel.close().map(\.job))
    }

    /// The loop of ``run(retire:)``: takes work and starts sends until cancelled, shut down or retired; returns once
    /// the sends it started have finished.
    private func sendLoop(retire: @Sendable () -> Bool) async {
        let clock = ContinuousClock()
        var pacing: SendPacing?
        var lastWork = clock.now
        var lastClaim = clock.now
        var backlog = false
        var claimFailures = 0
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                guard let tenant = dependencies.directory.tenant(id: restaurantId), tenant.status == .active else {
                    // Paused (or gone): born-claimed jobs go back to the queue, where the claim's status filter
                    // holds them until a resume.
                    await giveBack(channel.take(limit: .max, busy: []).flatMap { $0 }.map(\.job))
                    if sendsInFlight == 0, lastWork.duration(to: clock.now) >= settings.idleTimeout, retire() { return }
                    await pause()
                    continue
                }
                if pacing?.sendPerMinute != tenant.sendPerMinute {
                    pacing = SendPacing(
                        sendPerMinute: tenant.sendPerMinute, isShared: dependencies.sendTokens != nil, now: clock.now)
                    channel.limit(to: channelLimit(sendPerMinute: tenant.sendPerMinute))
                }
                let free = settings.concurrency - sendsInFlight
                guard free > 0 else {
                    await pause()
                    continue
                }
                // Pacing: have a token before taking work, so taken jobs never sit waiting for the bucket.
                guard var pace = pacing else { continue }
                let limit: Int
                switch pace.next(wanting: free, at: clock.now) {
                case .wait(let delay):
                    pacing = pace
                    try? await clock.sleep(for: delay)
                    continue
                case .lease(let count):
                    await lease(count, for: tenant, into: &pace)
                    pacing = pace
                    continue
                case .send(let count):
                    limit = count
                }

                // Born claimed: committed under our lease and handed over, so no claim query.
                let handed = channel.take(limit: limit, busy: busy.withLock { $0 })
                if !handed.isEmpty {
                    lastWork = clock.now
                    for jobs in handed {
                        pace.spent(jobs.count, at: clock.now)
                        start(jobs, tenant: tenant, in: &group)
                    }
                    pacing = pace
                    continue
                }

                let wanted = claimWanted.exchange(false, ordering: .relaxed)
                guard wanted || backlog || lastClaim.duration(to: clock.now) >= settings.pollInterval else {
                    await returnUnspentTokens(of: &pace, for: tenant)
                    pacing = pace
                    if sendsInFlight == 0, lastWork.duration(to: clock.now) >= settings.idleTimeout, retire() { return }
                    // Back at the poll's time, or sooner to retire when idle (waking early claims nothing).
                    await pause()
                    continue
                }
                lastClaim = clock.now
                // The lease starts when the database runs the claim, after this instant: a deadline from here is
                // never later than the lease's end.
                let leaseDeadline = clock.now.advanced(by: dependencies.queue.leaseDuration)
                let claimLimit = min(limit, settings.maximumBatch)
                let jobs: [OutboundJob]
                do {
                    jobs = try await dependencies.queue.claim(restaurantId: restaurantId, limit: claimLimit)
                    claimFailures = 0
                    claims.add(1, ordering: .relaxed)
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
                backlog = jobs.count == claimLimit
                if jobs.isEmpty {
                    await returnUnspentTokens(of: &pace, for: tenant)
                    pacing = pace
                    if sendsInFlight == 0, lastWork.duration(to: clock.now) >= settings.idleTimeout, retire() { return }
                    await pause()
                    continue
                }
                lastWork = clock.now
                pace.spent(jobs.count, at: clock.now)
                for job in jobs {
                    start([OutboundChannel.Entry(job: job, leaseDeadline: leaseDeadline)], tenant: tenant, in: &group)
                }
                pacing = pace
            }
        }
    }

    /// Leases up to `count` tokens of the restaurant's shared send bucket into `pacing`; a failure (Redis down or
    /// slow) makes the loop pace on its own bucket for a while rather than stop sending.
    private func lease(_ count: Int, for tenant: TenantConfig, into pacing: inout SendPacing) async {
        guard let tokens = dependencies.sendTokens else { return }
        do {
            let lease = try await tokens.leaseSendTokens(
                restaurantId: restaurantId, sendPerMinute: tenant.sendPerMinute, count: count)
            switch lease {
            case .granted(let granted): pacing.granted(granted, of: count, at: .now)
            case .wait(let delay): pacing.told(toWait: delay, at: .now)
            }
        } catch {
            pacing.sharedFailed(at: .now)
            dependencies.logger.warning(
                "shared send bucket unreachable; pacing on this process's own bucket for a while",
                metadata: ["restaurant": "\(restaurantId)", "error": "\(error)"])
        }
    }

    /// Gives the shared bucket back the tokens this loop leased and has no work for while the bucket runs short
    /// (``SendPacing/unspent(at:)``); if Redis cannot take them they are lost, which only slows the restaurant.
    private func returnUnspentTokens(of pacing: inout SendPacing, for tenant: TenantConfig) async {
        let count = pacing.unspent(at: .now)
        guard count > 0, let tokens = dependencies.sendTokens else { return }
        do {
            try await tokens.returnSendTokens(
                restaurantId: restaurantId, sendPerMinute: tenant.sendPerMinute, count: count)
        } catch {
            dependencies.logger.debug(
                "could not give send tokens back", metadata: ["restaurant": "\(restaurantId)", "error": "\(error)"])
        }
    }

    /// Waits for a wake-up: a signal (work handed over, a claim requested, a send finished, graceful shutdown) or
    /// the loop's next tick, at most `min(pollInterval, idleTimeout)` away. No task and no timer per pause: a
    /// reply's hand-over ends most pauses within milliseconds.
    private func pause() async {
        await wake.wait()
    }

    /// Wakes the loop every `interval` until cancelled.
    private func tick(every interval: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            wake.signal()
        }
    }

    /// Signals that the durable queue may have work for this restaurant (the next turn of the loop claims).
    public func requestClaim() {
        claimWanted.store(true, ordering: .relaxed)
        wake.signal()
    }

    /// Claim queries run so far (tests prove born-claimed replies need none).
    public var claimQueries: Int { claims.load(ordering: .relaxed) }

    /// One conversation's jobs, sent one after another in a task of the group (one concurrency slot); the
    /// conversation counts as busy until they are done.
    private func start(
        _ entries: [OutboundChannel.Entry], tenant: TenantConfig, in group: inout DiscardingTaskGroup
    ) {
        guard let conversation = entries.first?.job.conversationId else { return }
        busy.withLock { _ = $0.insert(conversation) }
        inFlight.add(1, ordering: .relaxed)
        group.addTask {
            var remaining = entries[...]
            while let entry = remaining.first {
                // Too little lease left to send and record: give the rest back untried rather than risk the
                // reaper handing a job we are sending to another worker.
                if ContinuousClock.now.advanced(by: self.minimumLeaseLeft) > entry.leaseDeadline {
                    await self.giveBack(remaining.map(\.job))
                    break
                }
                await self.deliver(entry.job, tenant: tenant, leaseDeadline: entry.leaseDeadline)
                remaining = remaining.dropFirst()
            }
            self.busy.withLock { _ = $0.remove(conversation) }
            self.inFlight.subtract(1, ordering: .relaxed)
            self.wake.signal()
        }
    }

    /// The born-claimed jobs worth holding: what the restaurant's rate sends in half the lease a job can wait for
    /// its turn (a slow restaurant's replies wait in the queue rather than run out of lease in the channel).
    func channelLimit(sendPerMinute: Int) -> Int {
        let (seconds, attoseconds) = (dependencies.queue.leaseDuration - minimumLeaseLeft).components
        let waitable = Double(seconds) + Double(attoseconds) / 1e18
        return Int(Double(max(0, sendPerMinute)) * waitable / 60 / 2)
    }

    /// The lease a job must still have before its send starts: the Twilio call's timeout and its recording.
    private var minimumLeaseLeft: Duration {
        min(settings.minimumLeaseLeft, dependencies.queue.leaseDuration / 3)
    }

    /// Gives never-attempted jobs back to the queue; when that fails the reaper puts them back at their lease's end.
    private func giveBack(_ jobs: [OutboundJob]) async {
        guard !jobs.isEmpty else { return }
        do {
            try await dependencies.queue.release(jobs)
        } catch {
            dependencies.logger.warning(
                "could not give jobs back to the queue; the reaper will at their lease's end",
                metadata: ["restaurant": "\(restaurantId)", "jobs": "\(jobs.count)", "error": "\(error)"])
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

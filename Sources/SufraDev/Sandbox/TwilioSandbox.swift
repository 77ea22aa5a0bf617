import Infra
import ServiceLifecycle
import Synchronization

/// A stand-in for Twilio's Messages API: the sufra tests, the load harness and `sufra dev` send to it instead of
/// Twilio.
///
/// It checks Basic auth against registered accounts, answers 201 with `SM…` sids, keeps a record of what was
/// sent (awaitable: ``waitForMessages(count:to:timeout:)``), posts signed status callbacks
/// (`queued → sent → delivered → read`) when asked to, and misbehaves on demand (``inject(_:account:times:)``,
/// ``setRateLimit(account:perSecond:)``). Mount its routes with ``addRoutes(to:)`` and run it as a `Service`
/// (which delivers the callbacks), or run it alone with ``run(host:port:onStarted:)``.
public final class TwilioSandbox: Sendable {
    /// Sandbox behaviour.
    public struct Configuration: Sendable {
        /// Post status callbacks to `StatusCallback` URLs.
        public var statusCallbacks = true
        /// Statuses posted, in order. As Twilio, no callback for the initial `queued` (the 201 already said it);
        /// WhatsApp then reports `sent`, `delivered` and `read`.
        public var callbackStatuses = ["sent", "delivered", "read"]
        /// How long a `hang` fault holds the request at most.
        public var hangLimit: Duration = .seconds(60)
        /// Largest API request body accepted.
        public var maxBodySize = 64 * 1024

        /// The defaults.
        public init() {}
    }

    /// The behaviour.
    public let configuration: Configuration
    let ledger = Mutex(SandboxLedger())
    let waiters = Mutex(SandboxWaiters())
    let callbackJobs: AsyncStream<SandboxCallbackJob>
    let callbackInput: AsyncStream<SandboxCallbackJob>.Continuation
    let callbackPoster: any SandboxCallbackPoster

    /// Creates a sandbox; `callbackPoster` posts the status callbacks (a private ``CurlClient`` when nil).
    public init(configuration: Configuration = Configuration(), callbackPoster: (any SandboxCallbackPoster)? = nil) {
        self.configuration = configuration
        (callbackJobs, callbackInput) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(100_000))
        self.callbackPoster = callbackPoster ?? CurlClient()
    }

    // MARK: Accounts and faults (in process)

    /// Registers (or re-keys) an account.
    public func registerAccount(sid: String, authToken: String) {
        ledger.withLock { $0.accounts[sid] = authToken }
    }

    /// Makes the next `times` API calls of `account` show `fault` (until cleared when `times` is nil). Faults queue
    /// up in the order injected.
    public func inject(_ fault: SandboxFault, account: String, times: Int? = 1) {
        ledger.withLock { $0.faults[account, default: []].append(SandboxFaultRule(fault: fault, remaining: times)) }
    }

    /// Limits `account` to `perSecond` accepted calls per second (nil removes the limit); the excess gets 429/20429.
    public func setRateLimit(account: String, perSecond: Int?) {
        ledger.withLock { $0.rateLimits[account] = perSecond }
    }

    /// Removes the faults and rate limit of `account`.
    public func clearFaults(account: String) {
        ledger.withLock {
            $0.faults[account] = nil
            $0.rateLimits[account] = nil
        }
    }

    // MARK: The record

    /// The messages accepted so far (to `to`, or all), in order.
    public func messages(to: String? = nil) -> [SandboxMessage] {
        ledger.withLock { $0.messages(to: to) }
    }

    /// API calls received so far, answered or not.
    public var requestCount: Int { ledger.withLock { $0.requestCount } }

    /// Waits until at least `count` messages (to `to`, or all) have been accepted and returns them all; throws
    /// ``SandboxTimeoutError`` after `timeout`.
    public func waitForMessages(
        count: Int, to: String? = nil, timeout: Duration = .seconds(10)
    ) async throws -> [SandboxMessage] {
        try await withThrowingTaskGroup(of: [SandboxMessage]?.self) { group in
            group.addTask { await self.messagesWhenAvailable(count: count, to: to) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let messages = first else {
                throw SandboxTimeoutError(expected: count, received: self.messages(to: to).count)
            }
            return messages
        }
    }

    private func messagesWhenAvailable(count: Int, to: String?) async -> [SandboxMessage]? {
        let id = waiters.withLock { $0.makeID() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[SandboxMessage]?, Never>) in
                // Lock order: ledger, then waiters (as in `accepted(_:)`), so no message slips between the check
                // and the registration.
                ledger.withLock { ledger in
                    let current = ledger.messages(to: to)
                    if current.count >= count || Task.isCancelled {
                        continuation.resume(returning: current.count >= count ? current : nil)
                        return
                    }
                    waiters.withLock {
                        $0.add(SandboxWaiters.Waiter(count: count, to: to, continuation: continuation), id: id)
                    }
                }
            }
        } onCancel: {
            waiters.withLock { $0.remove(id: id) }?.continuation.resume(returning: nil)
        }
    }

    /// Records an accepted message and wakes the waiters it satisfies.
    func accepted(_ message: SandboxMessage) -> SandboxMessage {
        ledger.withLock { ledger in
            let recorded = ledger.record(message)
            let ready = waiters.withLock {
                $0.takeSatisfied(recipient: recorded.to) { ledger.count(to: $0) }
            }
            for (waiter, _) in ready { waiter.continuation.resume(returning: ledger.messages(to: waiter.to)) }
            return recorded
        }
    }
}

/// ``TwilioSandbox/waitForMessages(count:to:timeout:)`` gave up.
public struct SandboxTimeoutError: Error, CustomStringConvertible {
    /// Messages waited for.
    public let expected: Int
    /// Messages there were.
    public let received: Int
    public var description: String { "sandbox: waited for \(expected) messages, got \(received)" }
}

/// Tasks waiting for the record to grow.
struct SandboxWaiters {
    struct Waiter {
        var count: Int
        var to: String?
        var continuation: CheckedContinuation<[SandboxMessage]?, Never>
    }

    private var waiting: [UInt64: Waiter] = [:]
    /// Waiter ids by the recipient they wait for (nil: any recipient), so a new message wakes only its own.
    private var idsByRecipient: [String?: Set<UInt64>] = [:]
    private var lastID: UInt64 = 0

    mutating func makeID() -> UInt64 {
        lastID += 1
        return lastID
    }

    mutating func add(_ waiter: Waiter, id: UInt64) {
        waiting[id] = waiter
        idsByRecipient[waiter.to, default: []].insert(id)
    }

    mutating func remove(id: UInt64) -> Waiter? {
        guard let waiter = waiting.removeValue(forKey: id) else { return nil }
        idsByRecipient[waiter.to]?.remove(id)
        if idsByRecipient[waiter.to]?.isEmpty == true { idsByRecipient[waiter.to] = nil }
        return waiter
    }

    /// Removes and returns the waiters, for `recipient` or for anyone, whose count is reached (`available` counts
    /// messages to a recipient, or all for nil).
    mutating func takeSatisfied(recipient: String, _ available: (String?) -> Int) -> [(Waiter, UInt64)] {
        var ready: [(Waiter, UInt64)] = []
        for key in [recipient, nil] as [String?] {
            for id in idsByRecipient[key] ?? [] {
                if let waiter = waiting[id], available(waiter.to) >= waiter.count { ready.append((waiter, id)) }
            }
        }
        for (_, id) in ready { _ = remove(id: id) }
        return ready
    }
}

import Logging

/// One restaurant's front door, one per restaurant in each process: it holds the restaurant's configuration and
/// decrypted credentials, checks each webhook's signature with them, and owns the restaurant's and its customers'
/// inbound token allowances, leased in slices from the buckets all instances share (``LeasedAllowance``), so
/// the common webhook is admitted with no round trip at all.
///
/// Admission is synchronous on the actor unless an allowance runs dry; the lease that refills it is the only
/// `await`, after which every allowance is read again (the actor is re-entrant there).
public actor TenantActor {
    /// The process-wide limits of the configuration (`RATE_GLOBAL_PER_MIN`, `RATE_CUSTOMER_PER_MIN`; README.md).
    public struct Limits: Sendable, Equatable {
        /// `RATE_GLOBAL_PER_MIN`.
        public var globalPerMinute: Int
        /// `RATE_CUSTOMER_PER_MIN`.
        public var customerPerMinute: Int

        /// Creates the limits.
        public init(globalPerMinute: Int, customerPerMinute: Int) {
            self.globalPerMinute = globalPerMinute
            self.customerPerMinute = customerPerMinute
        }
    }

    /// What every TenantActor of a process shares.
    public struct Dependencies: Sendable {
        /// Twilio's signature algorithm.
        public var signatures: any SignatureVerifying
        /// The shared buckets.
        public var leases: any TokenLeasing
        /// This process's share of the global bucket.
        public var global: SharedAllowance
        /// Process-wide limits.
        public var limits: Limits
        /// Logs.
        public var logger: Logger

        /// Creates the dependencies.
        public init(
            signatures: any SignatureVerifying, leases: any TokenLeasing, global: SharedAllowance, limits: Limits,
            logger: Logger
        ) {
            self.signatures = signatures
            self.leases = leases
            self.global = global
            self.limits = limits
            self.logger = logger
        }
    }

    /// Most customers whose allowances are kept; past it, spent ones are forgotten first.
    static let maximumCustomers = 10_000

    /// The restaurant as last configured (credentials included).
    public private(set) var config: TenantConfig
    let dependencies: Dependencies
    private var restaurant = LeasedAllowance()
    private var customers: [String: LeasedAllowance] = [:]

    /// A TenantActor for `config`.
    public init(config: TenantConfig, dependencies: Dependencies) {
        self.config = config
        self.dependencies = dependencies
    }

    /// Checks one webhook: signature with `config`'s token (the directory's latest snapshot, adopted here when
    /// it changed), then one token from the global, restaurant and customer buckets.
    public func admit(
        _ request: InboundRequest, customer: String, config latest: TenantConfig
    ) async
        -> TenantAdmission
    {
        if latest != config { reconfigure(latest) }
        guard let signature = request.signature,
            dependencies.signatures.isValid(
                signature: signature, url: request.signedURL, parameters: request.parameters,
                authToken: config.authToken)
        else { return .badSignature }
        return await takeTokens(customer: customer)
    }

    func reconfigure(_ latest: TenantConfig) {
        if latest.inboundPerMinute != config.inboundPerMinute { restaurant = LeasedAllowance() }
        config = latest
    }

    private func takeTokens(customer: String) async -> TenantAdmission {
        // Three rounds at most: each spends what is on hand or leases what ran dry (a concurrent admission may
        // spend a fresh lease during the await: then the next round leases again); past them, admit.
        for _ in 0..<3 {
            let now = ContinuousClock.now
            var wanted: [TokenSlice] = []
            for bucket in [RateVerdict.Bucket.global, .restaurant, .customer] {
                switch need(bucket, customer: customer, at: now) {
                case .ready: break
                case .denied(let retryAfter): return .throttled(bucket, retryAfterSeconds: retryAfter)
                case .lease: wanted.append(slice(bucket, customer: customer))
                }
            }
            if wanted.isEmpty, dependencies.global.spend(at: now) {
                restaurant.spend()
                customers[customer]?.spend()
                return .admitted
            }
            if wanted.isEmpty { continue }
            do {
                switch try await dependencies.leases.lease(wanted) {
                case .granted(let counts):
                    let at = ContinuousClock.now
                    for (slice, count) in zip(wanted, counts) { grant(slice, count: count, at: at) }
                case .denied(let bucket, let retryAfter):
                    deny(bucket, customer: customer, retryAfterSeconds: retryAfter, at: ContinuousClock.now)
                    return .throttled(bucket, retryAfterSeconds: retryAfter)
                }
            } catch {
                // The buckets live in Redis; when it is down we keep serving (the database still protects us)
                // rather than refusing every customer.
                dependencies.logger.warning("rate limiter unavailable, admitting", metadata: ["error": "\(error)"])
                return .admitted
            }
        }
        return .admitted
    }

    private func need(
        _ bucket: RateVerdict.Bucket, customer: String, at now: ContinuousClock.Instant
    )
        -> LeasedAllowance.Need
    {
        switch bucket {
        case .global: dependencies.global.need(at: now)
        case .restaurant: config.inboundPerMinute <= 0 ? .denied(retryAfterSeconds: 60) : restaurant.need(at: now)
        case .customer: (customers[customer] ?? LeasedAllowance()).need(at: now)
        }
    }

    private func slice(_ bucket: RateVerdict.Bucket, customer: String) -> TokenSlice {
        let perMinute =
            switch bucket {
            case .global: dependencies.limits.globalPerMinute
            case .restaurant: config.inboundPerMinute
            case .customer: dependencies.limits.customerPerMinute
            }
        return TokenSlice(
            bucket: bucket, restaurantId: config.id, customer: customer, perMinute: perMinute,
            count: LeasedAllowance.slice(perMinute: perMinute))
    }

    private func grant(_ slice: TokenSlice, count: Int, at now: ContinuousClock.Instant) {
        switch slice.bucket {
        case .global: dependencies.global.granted(count, at: now)
        case .restaurant: restaurant.granted(count, at: now)
        case .customer:
            if customers.count >= Self.maximumCustomers { forgetSpentCustomers(at: now) }
            customers[slice.customer, default: LeasedAllowance()].granted(count, at: now)
        }
    }

    private func deny(
        _ bucket: RateVerdict.Bucket, customer: String, retryAfterSeconds: Int, at now: ContinuousClock.Instant
    ) {
        switch bucket {
        case .global: dependencies.global.denied(retryAfterSeconds: retryAfterSeconds, at: now)
        case .restaurant: restaurant.denied(retryAfterSeconds: retryAfterSeconds, at: now)
        case .customer:
            if customers.count >= Self.maximumCustomers { forgetSpentCustomers(at: now) }
            customers[customer, default: LeasedAllowance()].denied(retryAfterSeconds: retryAfterSeconds, at: now)
        }
    }

    private func forgetSpentCustomers(at now: ContinuousClock.Instant) {
        customers = customers.filter { !$0.value.isSpent(at: now) }
        // Still full of live allowances: start over (their tokens go back to nobody; the limit stays safe).
        if customers.count >= Self.maximumCustomers { customers.removeAll(keepingCapacity: true) }
    }
}

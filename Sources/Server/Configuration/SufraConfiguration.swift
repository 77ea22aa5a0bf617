import Infra

/// Everything `sufra serve`/`worker` read from the environment (README.md, "Configuration"). Flags override
/// fields after loading. Secrets are kept here but never printed: ``description`` redacts them.
public struct SufraConfiguration: Sendable, CustomStringConvertible {
    /// `DATABASE_URL`; required by `serve` and `worker`.
    public var databaseURL: String?
    /// `REDIS_URL`.
    public var redisURL: String
    /// Listen address.
    public var host: String
    /// Listen port.
    public var port: Int
    /// The base URL Twilio calls; signatures are checked against it when set.
    public var publicURL: String?
    /// `TRUSTED_PROXIES`: peers whose `X-Forwarded-Proto`/`X-Forwarded-Host` are believed when ``publicURL``
    /// is unset (default: loopback and private ranges).
    public var trustedProxies: TrustedProxies
    /// `MASTER_KEY`: the current master key, `ID:BASE64` or `BASE64` (32 bytes; id `k1`).
    public var masterKey: String?
    /// `MASTER_KEY_PREVIOUS`: comma-separated older keys that still open secrets sealed before a rotation.
    public var masterKeyPrevious: String?
    /// `MASTER_KEYS`: the whole ring at once, current key first (replaces the two above).
    public var masterKeys: String?
    /// `JWT_SECRET`: HS256 key for dashboard tokens.
    public var jwtSecret: String?
    /// `ADMIN_TOKEN`: bearer token of `/admin/*`, at least 20 bytes (32 recommended); nil disables the admin API.
    public var adminToken: String?
    /// `TWILIO_API_BASE`.
    public var twilioAPIBase: String
    /// `RATE_GLOBAL_PER_MIN`.
    public var rateGlobalPerMinute: Int
    /// `RATE_CUSTOMER_PER_MIN`.
    public var rateCustomerPerMinute: Int
    /// `LOG_FORMAT`: `text` or `json`.
    public var logFormat: LogFormat
    /// `HTTP_IDLE_TIMEOUT_SECONDS`: an HTTP connection that sends nothing this long is closed, whether idle
    /// between requests or stalled inside a request's head (slowloris).
    public var httpIdleTimeoutSeconds: Int
    /// `CONVERSATION_IDLE_SECONDS`: a conversation without messages this long leaves memory (its state stays in
    /// the database; the next message loads it again).
    public var conversationIdleSeconds: Int
    /// `HANDOFF_IDLE_MINUTES`: a conversation staff took over returns to the bot after this long without a staff
    /// message.
    public var handoffIdleMinutes: Int
    /// `WEBHOOK_DEADLINE_MS`: a webhook not committed this long after its arrival is answered 503 (100…14,000;
    /// default 8,000, inside the 15 s Twilio waits).
    public var webhookDeadlineMilliseconds: Int
    /// `INGEST_FLUSHERS`: group-commit transactions of webhooks in flight at once (1…16, default 2). Fewer make
    /// bigger batches, so less database work per webhook; more let a database with many cores commit in parallel
    /// (docs/inbound.md, "Group commit").
    public var ingestFlushers: Int
    /// `INGEST_GATHER_MS`: the least time between the starts of two webhook batches while fewer than 4 webhooks
    /// wait (0…50, default 10; 0: a batch starts as soon as one is due). Under load more wait, so it holds nothing
    /// back (docs/inbound.md, "Flushers").
    public var ingestGatherMilliseconds: Int
    /// `DASHBOARD_SOCKETS_PER_RESTAURANT` (default 100) and `DASHBOARD_SOCKETS_MAX` (default 10,000): dashboard
    /// WebSockets this process takes per restaurant and in all; one past either is closed with `1013`.
    public var dashboardSockets: LiveSocketLimits
    /// `SUFRA_INSTANCE`: the name of this process's place (its lease slot), kept across its restarts, so that a
    /// restarted sender takes back its predecessor's leases at once; unset: `<host>:<role>[:<port>]`.
    public var instanceName: String?

    /// Reads the configuration from `environment`, validating numbers; required secrets are checked by
    /// ``requireServing()`` so that commands needing less (e.g. `migrate`) can run without them.
    public init(environment: [String: String]) throws(ConfigurationError) {
        func nonEmpty(_ key: String) -> String? {
            guard let value = environment[key]?.trimmingSpaces, !value.isEmpty else { return nil }
            return value
        }
        func positiveInt(_ key: String, default fallback: Int) throws(ConfigurationError) -> Int {
            guard let raw = nonEmpty(key) else { return fallback }
            guard let value = Int(raw), value > 0 else { throw ConfigurationError.notAPositiveInteger(key, raw) }
            return value
        }
        /// An integer in `range`, or `fallback` when unset.
        func bounded(
            _ key: String, _ range: ClosedRange<Int>, _ unit: String, or fallback: Int
        )
            throws(ConfigurationError) -> Int
        {
            guard let raw = nonEmpty(key) else { return fallback }
            guard let value = Int(raw), range.contains(value) else {
                throw ConfigurationError.invalid(
                    key, "must be \(unit) \(range.lowerBound)…\(range.upperBound) (got '\(raw)')")
            }
            return value
        }
        databaseURL = nonEmpty("DATABASE_URL")
        redisURL = nonEmpty("REDIS_URL") ?? "redis://127.0.0.1:6379/0"
        host = nonEmpty("HOST") ?? "127.0.0.1"
        // 0 asks the system for a free port (tests, side-by-side runs).
        port = try bounded("PORT", 0...65_535, "a port number", or: 8080)
        publicURL = nonEmpty("PUBLIC_URL").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        // Set but empty trusts nobody; unset takes the default.
        if let raw = environment["TRUSTED_PROXIES"] {
            trustedProxies = try TrustedProxies(parsing: raw)
        } else {
            trustedProxies = .default
        }
        masterKey = nonEmpty("MASTER_KEY")
        masterKeyPrevious = nonEmpty("MASTER_KEY_PREVIOUS")
        masterKeys = nonEmpty("MASTER_KEYS")
        jwtSecret = nonEmpty("JWT_SECRET")
        adminToken = nonEmpty("ADMIN_TOKEN")
        twilioAPIBase =
            nonEmpty("TWILIO_API_BASE").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            ?? "https://api.twilio.com"
        rateGlobalPerMinute = try positiveInt("RATE_GLOBAL_PER_MIN", default: 200)
        rateCustomerPerMinute = try positiveInt("RATE_CUSTOMER_PER_MIN", default: 20)
        conversationIdleSeconds = try positiveInt("CONVERSATION_IDLE_SECONDS", default: 30)
        logFormat = try LogFormat(environment: environment)
        httpIdleTimeoutSeconds = try positiveInt("HTTP_IDLE_TIMEOUT_SECONDS", default: 30)
        handoffIdleMinutes = try positiveInt("HANDOFF_IDLE_MINUTES", default: 30)
        webhookDeadlineMilliseconds = try positiveInt("WEBHOOK_DEADLINE_MS", default: 8_000)
        guard (100...14_000).contains(webhookDeadlineMilliseconds) else {
            throw ConfigurationError.invalid(
                "WEBHOOK_DEADLINE_MS", "must be 100…14000 milliseconds (got \(webhookDeadlineMilliseconds))")
        }
        ingestFlushers = try positiveInt("INGEST_FLUSHERS", default: 2)
        guard (1...16).contains(ingestFlushers) else {
            throw ConfigurationError.invalid("INGEST_FLUSHERS", "must be 1…16 (got \(ingestFlushers))")
        }
        ingestGatherMilliseconds = try bounded("INGEST_GATHER_MS", 0...50, "milliseconds", or: 10)
        dashboardSockets = LiveSocketLimits(
            perRestaurant: try positiveInt("DASHBOARD_SOCKETS_PER_RESTAURANT", default: 100),
            total: try positiveInt("DASHBOARD_SOCKETS_MAX", default: 10_000))
        instanceName = nonEmpty("SUFRA_INSTANCE")
        if let instanceName, !LeaseIdentity.isValidSlot(instanceName) {
            throw ConfigurationError.invalid(
                "SUFRA_INSTANCE", "must be 1–100 characters of A–Z a–z 0–9 . _ : - (got '\(instanceName)')")
        }
    }

    /// The key ring of `MASTER_KEYS` or `MASTER_KEY` + `MASTER_KEY_PREVIOUS` (see ``MasterKeyRing``).
    public func secretBox() throws(ConfigurationError) -> SecretBox {
        try MasterKeyRing.secretBox(masterKeys: masterKeys, masterKey: masterKey, previous: masterKeyPrevious)
    }

    /// The shortest `ADMIN_TOKEN` `serve` accepts.
    public static let minimumAdminTokenBytes = 20
    /// The length below which `serve` warns about `ADMIN_TOKEN` at startup (`openssl rand -hex 32` gives 64).
    public static let recommendedAdminTokenBytes = 32

    /// Checks what `serve` and `worker` cannot start without.
    public func requireServing() throws(ConfigurationError) {
        guard databaseURL != nil else { throw .missing("DATABASE_URL") }
        _ = try secretBox()
        guard let jwtSecret else { throw .missing("JWT_SECRET") }
        guard jwtSecret.utf8.count >= 32 else { throw .invalid("JWT_SECRET", "must be at least 32 bytes for HS256") }
        if let adminToken, adminToken.utf8.count < Self.minimumAdminTokenBytes {
            throw .invalid(
                "ADMIN_TOKEN", "must be at least \(Self.minimumAdminTokenBytes) bytes (e.g. openssl rand -hex 32)")
        }
    }

    /// What an operator should hear at startup about the configuration (e.g. no `PUBLIC_URL`).
    public var warnings: [String] {
        var warnings: [String] = []
        if let adminToken, adminToken.utf8.count < Self.recommendedAdminTokenBytes {
            warnings.append(
                "ADMIN_TOKEN is shorter than \(Self.recommendedAdminTokenBytes) bytes: use a longer random one "
                    + "(e.g. openssl rand -hex 32)")
        }
        guard publicURL == nil else { return warnings }
        return warnings + [
            "PUBLIC_URL is not set: Twilio signatures are checked against a URL rebuilt from Host, and from "
                + "X-Forwarded-Proto/X-Forwarded-Host when the peer is in TRUSTED_PROXIES (\(trustedProxies)); "
                + "set PUBLIC_URL to the URL Twilio calls"
        ]
    }

    public var description: String {
        "SufraConfiguration(host: \(host), port: \(port), publicURL: \(publicURL ?? "unset"), "
            + "trustedProxies: \(trustedProxies), "
            + "twilioAPIBase: \(twilioAPIBase), adminAPI: \(adminToken == nil ? "disabled" : "enabled"), "
            + "rates: \(rateGlobalPerMinute)/min global, \(rateCustomerPerMinute)/min customer)"
    }
}

/// A configuration value is missing or malformed; the description is the one-line reason the CLI prints.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The one-line reason.
    public let description: String

    /// A required variable is not set.
    public static func missing(_ key: String) -> ConfigurationError {
        ConfigurationError(description: "\(key) is required but not set")
    }

    /// A variable that must be a positive integer is not.
    public static func notAPositiveInteger(_ key: String, _ value: String) -> ConfigurationError {
        ConfigurationError(description: "\(key) must be a positive integer (got '\(value)')")
    }

    /// A variable has an invalid value; `reason` must not contain the value if it is a secret.
    public static func invalid(_ key: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(description: "\(key) is invalid: \(reason)")
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view = view.dropFirst() }
        while view.last?.isWhitespace == true { view = view.dropLast() }
        return String(view)
    }
}

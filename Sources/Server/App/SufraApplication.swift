import Actors
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Infra
import Logging
import Metrics
import Runtime
import ServiceLifecycle

/// The composition root: builds the infrastructure from the configuration, wires it into the actors, and
/// returns the Hummingbird application whose service group runs everything (infrastructure first, HTTP last,
/// so graceful shutdown stops the HTTP edge before it drains the writers and closes the pools).
public struct SufraApplication: Sendable {
    /// What `serve` runs besides the HTTP edge.
    public struct Options: Sendable {
        /// Run the outbound sender in this process (`--no-sender` turns it off).
        public var runSender = true
        /// Components whose routes join the router and which run beside the server (`sufra dev` mounts the Twilio
        /// sandbox under `/sandbox` and `/2010-04-01`).
        public var mounted: [any MountedService] = []
        /// Idle timeout of conversation actors (nil: `CONVERSATION_IDLE_SECONDS` from the configuration).
        public var conversationIdleTimeout: Duration?
        /// Prefix of every Redis key this instance writes (tests isolate themselves with it).
        public var redisKeyPrefix = ""
        /// How old an unhandled inbound message must be before the sweeper re-drives it.
        public var unhandledGraceSeconds = 10
        /// How often the sweeper looks for unhandled inbound messages.
        public var unhandledSweepInterval: Duration = .seconds(5)
        /// Outbound sender timing (loops, poll, reaper).
        public var outbound = OutboundDispatcher.Settings()
        /// Outbound retry rules (3 attempts, 5 s doubling, ≤ 20 % jitter).
        public var retryPolicy = OutboundRetryPolicy()
        /// How long a claimed outbound job stays leased (well above the Twilio call's timeout).
        public var outboundLease: Duration = .seconds(60)
        /// Total time allowed per Twilio API call.
        public var twilioTimeout: Duration = .seconds(15)
        /// Re-drives of an unhandled inbound message before it is marked failed, and their backoff.
        public var inboundRetryPolicy = InboundRetryPolicy()
        /// The process's lease slot, taken before the application is built (``leaseSlot(configuration:role:logger:)``):
        /// its owner names this process's leases and the sender takes back the slot's earlier ones at start. Nil:
        /// an unslotted owner, whose leases only the reaper takes back.
        public var leaseSlot: LeaseSlot?

        /// Default options.
        public init() {}
    }

    /// The parts tests and the CLI reach into.
    public let configuration: SufraConfiguration
    public let postgres: PGPool
    public let redis: RedisClient
    public let repository: RestaurantRepository
    public let secrets: SecretBox
    public let directory: TenantDirectory
    /// This instance's metrics: every part below records through `metrics.factory` (docs/metrics.md).
    public let metrics: SufraMetrics
    let directorySync: TenantDirectorySync
    let ingest: GroupCommitIngest
    let conversations: ActorRegistry<ConversationActor, ContinuousClock>
    let sweeper: UnhandledSweeper<ContinuousClock>
    let supervisor: Supervisor
    let outboundQueue: OutboundQueue
    let outcomes: GroupCommitOutcomes
    let outbound: OutboundDispatcher
    let notifier: OutboundNotifier
    let conversationStore: PostgresConversationStore
    let events: RedisLiveEvents
    let subscriber: RedisSubscriber
    let liveHub: LiveEventHub
    let authenticator: StaffAuthenticator
    let options: Options
    let logger: Logger

    /// Validates the configuration and builds every part (nothing connects until the services run).
    public init(configuration: SufraConfiguration, options: Options = Options(), logger: Logger) throws {
        try configuration.requireServing()
        self.configuration = configuration
        self.options = options
        self.logger = logger
        self.secrets = try configuration.secretBox()
        let postgresConfiguration: PGConfiguration
        do {
            postgresConfiguration = try PGConfiguration(url: configuration.databaseURL ?? "")
        } catch {
            throw ConfigurationError.invalid("DATABASE_URL", "\(error)")
        }
        let redisConfiguration: RedisConfiguration
        do {
            redisConfiguration = try RedisConfiguration(url: configuration.redisURL)
        } catch {
            throw ConfigurationError.invalid("REDIS_URL", "\(error)")
        }
        let metrics = SufraMetrics()
        self.metrics = metrics
        let factory = metrics.factory
        var poolOptions = PGPool.Options()
        poolOptions.maximumConnections = 24
        postgres = PGPool(
            configuration: postgresConfiguration, options: poolOptions, logger: logger.with(label: "postgres"),
            metrics: PGPoolMetrics(factory: factory))
        redis = RedisClient(
            configuration: redisConfiguration, logger: logger.with(label: "redis"),
            metrics: RedisMetrics(factory: factory))
        repository = RestaurantRepository(client: postgres)
        directory = TenantDirectory()
        subscriber = RedisSubscriber(configuration: redisConfiguration, logger: logger.with(label: "subscriber"))
        liveHub = LiveEventHub(
            subscriber: subscriber, limits: configuration.dashboardSockets, logger: logger.with(label: "live"),
            metrics: factory)
        authenticator = StaffAuthenticator(
            secret: configuration.jwtSecret ?? "", directory: directory, users: UserStore(client: postgres))
        let events = RedisLiveEvents(client: redis, logger: logger.with(label: "events"), metrics: factory)
        self.events = events
        let now: @Sendable () -> String = { ISO8601.now() }
        let slot = options.runSender ? options.leaseSlot : nil
        outboundQueue = OutboundQueue(
            client: postgres, leaseDuration: options.outboundLease,
            owner: slot?.identity.owner ?? LeaseIdentity.unslottedOwner())
        outcomes = GroupCommitOutcomes(queue: outboundQueue, logger: logger.with(label: "outcomes"))
        let twilio = TwilioClient(
            http: CurlClient(), apiBase: configuration.twilioAPIBase, timeout: options.twilioTimeout)
        outbound = OutboundDispatcher(
            queue: outboundQueue,
            dependencies: TenantSender.Dependencies(
                queue: outcomes, sender: TwilioMessageSender(client: twilio, publicURL: configuration.publicURL),
                directory: directory, events: events, metrics: OutboundMetrics(factory: factory),
                policy: options.retryPolicy, now: now, logger: logger.with(label: "outbound"),
                sendTokens: RedisSendTokenLeaser(client: redis, keyPrefix: options.redisKeyPrefix)),
            configuration: postgresConfiguration, settings: options.outbound, slot: slot,
            logger: logger.with(label: "outbound"))
        let outbound = self.outbound
        var wakeLocalSender: (@Sendable (String) -> Void)?
        if options.runSender {
            wakeLocalSender = { @Sendable restaurantId in outbound.wake(restaurantId: restaurantId) }
        }
        notifier = OutboundNotifier(
            client: postgres, localWake: wakeLocalSender, logger: logger.with(label: "outbound"))
        var ingestOptions = GroupCommitOptions.ingest
        ingestOptions.flushers = configuration.ingestFlushers
        ingestOptions.gatherWindow = .milliseconds(configuration.ingestGatherMilliseconds)
        ingest = GroupCommitIngest(
            client: postgres, notifier: notifier, handoff: options.runSender ? outbound : nil, options: ingestOptions,
            logger: logger.with(label: "ingest"), metrics: IngestMetrics(factory: factory))
        let store = PostgresConversationStore(
            client: postgres, notifier: notifier, logger: logger.with(label: "conversation-store"), metrics: factory)
        conversationStore = store
        let directorySync = TenantDirectorySync(
            directory: directory, repository: repository, secrets: secrets, configuration: postgresConfiguration,
            onMenuChange: { store.invalidateMenu(restaurantId: $0) }, logger: logger.with(label: "directory"),
            metrics: factory)
        self.directorySync = directorySync
        var botDependencies = ConversationActor.Dependencies(
            store: store, ingest: ingest, directory: directory, events: events, now: now,
            logger: logger.with(label: "bot"))
        botDependencies.replyTimer = Metrics.Timer(label: BotMetrics.replyDuration, factory: factory)
        botDependencies.askedForPerson = StaffController.announcer(
            store: StaffStore(client: postgres, handoffIdleMinutes: configuration.handoffIdleMinutes), events: events)
        let shared = ConversationActor.Shared(botDependencies)
        conversations = ActorRegistry(
            configuration: RegistryConfiguration(
                idleTimeout: options.conversationIdleTimeout ?? .seconds(configuration.conversationIdleSeconds)),
            clock: .continuous,
            logger: logger.with(label: "conversations"),
            metrics: RegistryMetrics(registry: "conversations", factory: factory),
            factory: { key in try await ConversationActor.activate(key, shared: shared) })
        sweeper = UnhandledSweeper(
            queue: UnhandledInboundQueue(client: postgres), registry: conversations,
            policy: options.inboundRetryPolicy, interval: options.unhandledSweepInterval,
            graceSeconds: options.unhandledGraceSeconds,
            metrics: SweeperMetrics(factory: factory), logger: logger.with(label: "sweeper"))
        supervisor = Supervisor(
            directory: directory,
            tenants: TenantActor.Dependencies(
                signatures: TwilioSignatureVerifier(),
                leases: RedisTokenLeaser(client: redis, keyPrefix: options.redisKeyPrefix), global: SharedAllowance(),
                limits: TenantActor.Limits(
                    globalPerMinute: configuration.rateGlobalPerMinute,
                    customerPerMinute: configuration.rateCustomerPerMinute),
                logger: logger.with(label: "tenant")),
            ingest: ingest, conversations: ConversationDispatcher(registry: conversations), events: events,
            now: now, logger: logger.with(label: "supervisor"),
            webhookDeadline: .milliseconds(configuration.webhookDeadlineMilliseconds))
    }

    /// The services that run beside the HTTP server, infrastructure first.
    var services: [any Service] {
        var services: [any Service] = [
            postgres, redis, subscriber, events, outcomes, ingest, notifier, directorySync,
            ConversationRegistryService(registry: conversations), sweeper,
            liveHub,
        ]
        if options.runSender {
            // The slot's lock is released last, after the sends have drained.
            if let slot = options.leaseSlot { services.insert(slot, at: 0) }
            services.append(outbound)
        }
        services.append(contentsOf: options.mounted.map { $0 as any Service })
        return services
    }

    /// The router with every route of docs/openapi.yaml (`OpenAPIRoutesTests` keeps the two equal).
    func router() -> Router<SufraRequestContext> {
        let router = Router(context: SufraRequestContext.self)
        WebhookController(
            supervisor: supervisor, publicURL: configuration.publicURL, trustedProxies: configuration.trustedProxies,
            metrics: metrics, directory: directory, logger: logger.with(label: "webhook")
        ).addRoutes(to: router)
        StatusCallbackController(
            supervisor: supervisor, outcomes: outcomes, events: events, publicURL: configuration.publicURL,
            trustedProxies: configuration.trustedProxies,
            timeout: .milliseconds(configuration.webhookDeadlineMilliseconds), logger: logger.with(label: "status")
        ).addRoutes(to: router)
        HealthController(postgres: postgres, redis: redis, metrics: metrics, started: .now).addRoutes(to: router)
        if let adminToken = configuration.adminToken {
            AdminController(adminToken: adminToken, repository: repository, secrets: secrets, directory: directorySync)
                .addRoutes(to: router)
            DeadLetterController(adminToken: adminToken, repository: repository, queue: outboundQueue)
                .addRoutes(to: router)
            UserAdminController(adminToken: adminToken, users: authenticator.users).addRoutes(to: router)
        }
        for component in options.mounted { component.addRoutes(to: router) }
        let store = conversationStore
        StaffController(
            authenticator: authenticator,
            store: StaffStore(
                client: postgres, handoffIdleMinutes: configuration.handoffIdleMinutes, notifier: notifier),
            conversations: conversations,
            events: events, invalidateMenu: { store.invalidateMenu(restaurantId: $0) }
        ).addRoutes(to: router)
        LiveSocketRoute(authenticator: authenticator).addRoutes(to: router)
        DashboardController().addRoutes(to: router)
        return router
    }

    /// The Hummingbird application listening on `HOST:PORT`: HTTP/1 with the dashboard WebSocket upgrade on
    /// `/ws` (pinged every 30 s so idle connections stay up through proxies). A connection that sends nothing
    /// for `HTTP_IDLE_TIMEOUT_SECONDS` (between requests, or in the middle of a request's head) is closed; a request
    /// body must arrive within 10 s of its head (``RequestBodyDeadlineHandler``, 408). Every request is timed at its
    /// connection (``RequestLatencyHandler``).
    public func application() -> some ApplicationProtocol {
        let route = LiveSocketRoute(authenticator: authenticator)
        let hub = liveHub
        let latency = metrics.requestLatency
        return Application(
            router: router(),
            server: .sufra(
                configuration: .init(
                    http1: .init(
                        additionalChannelHandlers: [
                            RequestLatencyHandler(metrics: latency), RequestBodyDeadlineHandler(),
                            RefusedUpgradeStatusHandler(),
                        ]),
                    ws: .init(autoPing: .enabled(timePeriod: .seconds(30)))),
                idleTimeout: .seconds(Int64(configuration.httpIdleTimeoutSeconds))
            ) { request, _, _ in
                guard let identity = await route.identity(upgrading: request) else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    await hub.serve(
                        restaurantId: identity.restaurantId, expiresAt: identity.expiresAt, inbound: inbound,
                        outbound: outbound)
                }
            },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sufra"),
            services: services, logger: logger)
    }

}

extension Logger {
    /// A logger with the same level and a sub-label.
    func with(label suffix: String) -> Logger {
        var logger = Logger(label: "\(label).\(suffix)")
        logger.logLevel = logLevel
        return logger
    }
}

import Actors
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Keeps a ``TenantDirectory`` in step with the `restaurants` table on every instance: a full load at start
/// and after every (re)connection of its listener, one restaurant on each `sufra_restaurants` notification, and
/// a full refresh every `refreshInterval` as a safety net for a missed notification.
public struct TenantDirectorySync: Service, CustomStringConvertible {
    private let directory: TenantDirectory
    private let repository: RestaurantRepository
    private let secrets: SecretBox
    private let configuration: PGConfiguration
    private let refreshInterval: Duration
    private let onMenuChange: @Sendable (String) -> Void
    private let unroutable: UnroutableRestaurants
    private let logger: Logger

    /// Gauge: restaurants not routed because their stored status is unknown to this version.
    public static let unroutableMetric = "sufra_restaurants_unroutable"

    /// Creates the sync; `onMenuChange` hears restaurant ids whose menu changed (to drop cached menus); `metrics`
    /// creates the ``unroutableMetric`` gauge.
    public init(
        directory: TenantDirectory, repository: RestaurantRepository, secrets: SecretBox,
        configuration: PGConfiguration, refreshInterval: Duration = .seconds(60),
        onMenuChange: @escaping @Sendable (String) -> Void = { _ in }, logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.unroutable = UnroutableRestaurants(gauge: Meter(label: Self.unroutableMetric, factory: metrics))
        self.directory = directory
        self.repository = repository
        self.secrets = secrets
        self.configuration = configuration
        self.refreshInterval = refreshInterval
        self.onMenuChange = onMenuChange
        self.logger = logger
    }

    /// Restaurants left out of the directory because their stored status is not one this version knows (the
    /// `sufra_restaurants_unroutable` gauge): their webhooks are refused as for an unknown number.
    public var unroutableCount: Int { unroutable.ids.withLock { $0.count } }

    /// The name ServiceLifecycle logs; the fields (database configuration, key ring) stay out of logs.
    public var description: String { "TenantDirectorySync" }

    /// Loads every restaurant now (also called before serving, so the first webhook is routed). A restaurant
    /// reloaded by a notification while this runs keeps its newer snapshot (revisions only move forward).
    public func loadAll() async throws {
        let mark = directory.mark()
        let rows = try await repository.allCredentialed()
        unroutable.update { $0.removeAll() }
        directory.replaceAll(with: rows.compactMap(tenant), since: mark)
    }

    /// Reloads one restaurant (or removes it when it is gone).
    public func reload(id: String) async {
        do {
            unroutable.update { _ = $0.remove(id) }
            if let row = try await repository.credentialed(id: id), let tenant = tenant(row) {
                directory.upsert(tenant)
            } else {
                directory.remove(id: id)
            }
        } catch {
            logger.warning("restaurant reload failed", metadata: ["restaurant": "\(id)", "error": "\(error)"])
        }
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await listen() }
            group.addTask { await refreshPeriodically() }
            await group.next()
            group.cancelAll()
        }
    }

    private func listen() async {
        let listener = PGListener(configuration: configuration, channels: [RestaurantRepository.changesChannel])
        do {
            for try await event in listener.cancelOnGracefulShutdown() {
                switch event {
                case .listening:
                    try? await loadAll()
                case .notification(let note):
                    if note.payload.hasPrefix("menu:") {
                        onMenuChange(String(note.payload.dropFirst(5)))
                    } else {
                        await reload(id: note.payload)
                    }
                }
            }
        } catch {
            logger.warning("restaurant listener stopped", metadata: ["error": "\(error)"])
        }
    }

    private func refreshPeriodically() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await Task.sleep(for: refreshInterval)
                try await loadAll()
            } catch is CancellationError {
                return
            } catch {
                logger.warning("restaurant refresh failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func tenant(_ row: RestaurantRepository.Credentialed) -> TenantConfig? {
        let record = row.record
        // Fail closed: a status written by a newer version (or by hand) routes nothing until it is understood.
        guard let status = TenantConfig.Status(rawValue: record.status) else {
            unroutable.update { _ = $0.insert(record.id) }
            logger.error(
                "restaurant has an unknown status: not routable",
                metadata: ["restaurant": "\(record.id)", "status": "\(record.status)"])
            return nil
        }
        let token: String
        do {
            token = try secrets.open(row.encryptedAuthToken, associatedData: record.id)
        } catch {
            logger.error(
                "cannot decrypt a restaurant's auth token (wrong MASTER_KEY?)", metadata: ["restaurant": "\(record.id)"]
            )
            return nil
        }
        return TenantConfig(
            id: record.id, name: record.name, whatsappFrom: record.whatsappFrom, accountSid: record.twilioAccountSid,
            authToken: token, inboundPerMinute: record.inboundPerMinute, sendPerMinute: record.sendPerMinute,
            language: record.language, supportContact: record.supportContact, promoContentSid: record.promoContentSid,
            status: status, statusReason: record.statusReason,
            revision: row.revision, credentialsVersion: row.credentialsVersion)
    }
}

/// The ids behind ``TenantDirectorySync/unroutableCount`` and its gauge (a class: the sync is a copied value).
private final class UnroutableRestaurants: Sendable {
    let ids = Mutex<Set<String>>([])
    private let gauge: Meter

    init(gauge: Meter) {
        self.gauge = gauge
        gauge.set(0)
    }

    /// Changes the set and the gauge with it (under the set's lock, so the gauge ends at the last count).
    func update(_ body: (inout Set<String>) -> Void) {
        ids.withLock { ids in
            body(&ids)
            gauge.set(ids.count)
        }
    }
}

import Synchronization

/// The restaurants by WhatsApp number, in memory, for routing each webhook without a database round trip.
///
/// Reads are a lock and a dictionary lookup; writers replace snapshots whole. The Supervisor keeps it in step
/// with the database (initial load, change notifications, periodic refresh).
///
/// Writers race: a full reload reads every restaurant, and while it runs a notification may load one restaurant
/// afresh. So nothing here goes backwards: a snapshot replaces another only with a revision at least as high
/// (``TenantConfig/revision``), and a full load (``replaceAll(with:since:)``) leaves alone what single updates did
/// after it started (a restaurant created or deleted meanwhile).
public final class TenantDirectory: Sendable {
    /// A point in the directory's history, taken before reading the database for a full load.
    public struct Mark: Sendable, Hashable {
        let generation: UInt64
    }

    private struct State {
        var byNumber: [String: TenantConfig] = [:]
        var byID: [String: TenantConfig] = [:]
        var loaded = false
        /// Bumped by every single update; ``Mark`` is its value.
        var generation: UInt64 = 0
        /// The generation of each restaurant's last single update.
        var touched: [String: UInt64] = [:]
        /// Restaurants removed by single updates, with the generation.
        var removed: [String: UInt64] = [:]
    }

    private let state = Mutex(State())

    /// Creates an empty directory.
    public init() {}

    /// The restaurant whose WhatsApp number is `number` (Twilio's `To`, or `From` for status callbacks).
    public func tenant(forNumber number: String) -> TenantConfig? {
        state.withLock { $0.byNumber[number] }
    }

    /// The restaurant with this id.
    public func tenant(id: String) -> TenantConfig? {
        state.withLock { $0.byID[id] }
    }

    /// Every restaurant, in no particular order.
    public var all: [TenantConfig] {
        state.withLock { Array($0.byID.values) }
    }

    /// Whether the first full load happened (before it, an unknown number may just not be loaded yet).
    public var isLoaded: Bool {
        state.withLock { $0.loaded }
    }

    /// The current point in history: take it before reading the database for ``replaceAll(with:since:)``.
    public func mark() -> Mark {
        state.withLock { Mark(generation: $0.generation) }
    }

    /// Replaces the whole directory with `tenants`, read from the database after `mark` (initial load, periodic
    /// refresh): a restaurant updated by ``upsert(_:)`` since keeps its newer snapshot, one added since and
    /// missing from `tenants` stays, one removed since stays removed, and no snapshot is replaced by one of a lower
    /// revision. Without a mark, `tenants` is taken as is.
    public func replaceAll(with tenants: [TenantConfig], since mark: Mark? = nil) {
        state.withLock { state in
            var fresh = State()
            fresh.loaded = true
            fresh.generation = state.generation
            let after = mark?.generation ?? state.generation
            for var tenant in tenants {
                if let removed = state.removed[tenant.id], removed > after { continue }
                if let current = state.byID[tenant.id], current.revision > tenant.revision { tenant = current }
                fresh.byID[tenant.id] = tenant
            }
            for (id, generation) in state.touched where generation > after && fresh.byID[id] == nil {
                if let current = state.byID[id] { fresh.byID[id] = current }
            }
            for tenant in fresh.byID.values { fresh.byNumber[tenant.whatsappFrom] = tenant }
            // What happened after the mark still matters to a full load that started after it but before now.
            fresh.touched = state.touched.filter { $0.value > after }
            fresh.removed = state.removed.filter { $0.value > after }
            state = fresh
        }
    }

    /// Adds or replaces one restaurant (its number may have changed), unless the directory already holds a newer
    /// revision of it.
    public func upsert(_ tenant: TenantConfig) {
        state.withLock { state in
            if let old = state.byID[tenant.id] {
                guard old.revision <= tenant.revision else { return }
                if old.whatsappFrom != tenant.whatsappFrom { state.byNumber[old.whatsappFrom] = nil }
            }
            state.generation += 1
            state.touched[tenant.id] = state.generation
            state.removed[tenant.id] = nil
            state.byID[tenant.id] = tenant
            state.byNumber[tenant.whatsappFrom] = tenant
        }
    }

    /// Removes a restaurant.
    public func remove(id: String) {
        state.withLock { state in
            state.generation += 1
            state.removed[id] = state.generation
            state.touched[id] = nil
            if let old = state.byID.removeValue(forKey: id) { state.byNumber[old.whatsappFrom] = nil }
        }
    }
}

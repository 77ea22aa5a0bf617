import Synchronization

/// The restaurants by WhatsApp number, in memory, for routing each webhook without a database round trip.
///
/// Reads are a lock and a dictionary lookup; writers replace snapshots whole. The Supervisor keeps it in step
/// with the database (initial load, change notifications, periodic refresh).
public final class TenantDirectory: Sendable {
    private struct State {
        var byNumber: [String: TenantConfig] = [:]
        var byID: [String: TenantConfig] = [:]
        var loaded = false
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

    /// Replaces the whole directory (initial load and periodic refresh).
    public func replaceAll(with tenants: [TenantConfig]) {
        var fresh = State()
        fresh.loaded = true
        for tenant in tenants {
            fresh.byNumber[tenant.whatsappFrom] = tenant
            fresh.byID[tenant.id] = tenant
        }
        state.withLock { $0 = fresh }
    }

    /// Adds or replaces one restaurant (its number may have changed).
    public func upsert(_ tenant: TenantConfig) {
        state.withLock { state in
            if let old = state.byID[tenant.id], old.whatsappFrom != tenant.whatsappFrom {
                state.byNumber[old.whatsappFrom] = nil
            }
            state.byID[tenant.id] = tenant
            state.byNumber[tenant.whatsappFrom] = tenant
        }
    }

    /// Removes a restaurant.
    public func remove(id: String) {
        state.withLock { state in
            if let old = state.byID.removeValue(forKey: id) { state.byNumber[old.whatsappFrom] = nil }
        }
    }
}

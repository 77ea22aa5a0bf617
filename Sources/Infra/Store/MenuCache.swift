import Actors
import Synchronization

/// Restaurants' menus for a few seconds, so the bot does not read the menu on every message.
final class MenuCache: Sendable {
    private struct Entry {
        var items: [MenuItem]
        var expires: ContinuousClock.Instant
    }

    private let ttl: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(ttl: Duration) {
        self.ttl = ttl
    }

    func menu(_ restaurantId: String) -> [MenuItem]? {
        entries.withLock { entries in
            guard let entry = entries[restaurantId], entry.expires > .now else { return nil }
            return entry.items
        }
    }

    func store(_ items: [MenuItem], for restaurantId: String) {
        entries.withLock { $0[restaurantId] = Entry(items: items, expires: .now + ttl) }
    }

    func invalidate(_ restaurantId: String) {
        _ = entries.withLock { $0.removeValue(forKey: restaurantId) }
    }
}

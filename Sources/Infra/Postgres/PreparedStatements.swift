/// The named prepared statements of one session, as a pure value: which statement text runs under which name.
///
/// A text is prepared the second time it runs on the session, so one-off texts (a multi-row insert of a length
/// seen once) stay unnamed, and at most `capacity` statements are kept. Running a prepared statement saves the
/// server its parse and plan on every call, which is most of the cost of the short statements a bot step runs.
/// Prepared statements outlive transactions (they are not rolled back), and die with the session.
struct PreparedStatements {
    /// A statement's identity: its text and its parameter types.
    struct Key: Hashable {
        var sql: String
        var types: [UInt32]
    }

    /// How to send one statement.
    enum Plan: Equatable {
        /// Run the statement already prepared under this name.
        case run(String)
        /// Prepare it under this name first, then run it (see ``didPrepare(_:as:)``).
        case prepare(String)
        /// Send it unnamed, parsed and planned for this call only.
        case unnamed
    }

    /// Most statements kept per session.
    let capacity: Int
    /// Most texts remembered as seen once (forgotten all at once beyond it).
    let seenCapacity: Int
    private var names: [Key: String] = [:]
    private var seen: Set<Key> = []
    private var counter = 0

    /// An empty cache.
    init(capacity: Int = 256, seenCapacity: Int = 2_048) {
        self.capacity = capacity
        self.seenCapacity = seenCapacity
    }

    /// Statements prepared so far.
    var count: Int { names.count }

    /// Decides how to send the statement `key`.
    mutating func plan(for key: Key) -> Plan {
        if let name = names[key] { return .run(name) }
        guard names.count < capacity else { return .unnamed }
        guard seen.remove(key) != nil else {
            if seen.count >= seenCapacity { seen.removeAll(keepingCapacity: true) }
            seen.insert(key)
            return .unnamed
        }
        counter += 1
        return .prepare("sufra_\(counter)")
    }

    /// The name `key` is prepared under, if it is.
    func name(for key: Key) -> String? { names[key] }

    /// Records that `key` is now prepared as `name`.
    mutating func didPrepare(_ key: Key, as name: String) {
        names[key] = name
    }

    /// Forgets `key` (its prepare failed).
    mutating func forget(_ key: Key) {
        names[key] = nil
    }

    /// Forgets every name (the server said it does not know one, e.g. after `DEALLOCATE ALL`, which drops them all).
    mutating func forgetAll() {
        names.removeAll()
    }
}

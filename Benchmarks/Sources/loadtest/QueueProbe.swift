import Infra
import Logging
import Server

/// Watches one restaurant's outbound queue in the run's database (queued or being sent, not yet answered).
struct QueueProbe: Sendable {
    /// The run's database.
    var databaseURL: String
    var logger: Logger

    /// Samples the queue every `interval` until `deadline` and returns the largest depth seen.
    func peakDepth(
        restaurantId: String, until deadline: ContinuousClock.Instant, interval: Duration = .milliseconds(250)
    ) async -> Int {
        do {
            return try await withPostgres(url: databaseURL, logger: logger) { client in
                var peak = 0
                while ContinuousClock.now < deadline {
                    peak = max(peak, try await depth(restaurantId: restaurantId, client: client))
                    try await Task.sleep(for: interval)
                }
                return peak
            }
        } catch {
            logger.warning("queue probe failed", metadata: ["error": "\(error)"])
            return 0
        }
    }

    /// Waits until the queue is empty; returns the seconds it took, or nil after `timeout`.
    func secondsUntilEmpty(restaurantId: String, timeout: Duration) async -> Double? {
        let start = ContinuousClock.now
        do {
            return try await withPostgres(url: databaseURL, logger: logger) { client in
                while ContinuousClock.now - start < timeout {
                    if try await depth(restaurantId: restaurantId, client: client) == 0 {
                        let elapsed = ContinuousClock.now - start
                        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    }
                    try await Task.sleep(for: .milliseconds(250))
                }
                return nil
            }
        } catch {
            logger.warning("queue probe failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Every restaurant's queue depth now, by restaurant id (a restaurant with nothing queued is absent); nil if the
    /// probe failed (logged).
    func depths() async -> [String: Int]? {
        do {
            return try await withPostgres(url: databaseURL, logger: logger) { client in
                var depths: [String: Int] = [:]
                for row in try await client.query(
                    """
                    SELECT restaurant_id::text AS id, count(*) AS n FROM messages
                    WHERE direction = 'outbound' AND status IN ('queued', 'sending') GROUP BY restaurant_id
                    """)
                {
                    depths[try row.decode("id", as: String.self)] = Int(try row.decode("n", as: Int64.self))
                }
                return depths
            }
        } catch {
            logger.warning("queue probe failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Waits until every restaurant's queue is empty; returns the seconds it took, or nil after `timeout`.
    func secondsUntilAllEmpty(timeout: Duration) async -> Double? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if let depths = await depths(), depths.values.allSatisfy({ $0 == 0 }) {
                let elapsed = ContinuousClock.now - start
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return nil
    }

    private func depth(restaurantId: String, client: PGPool) async throws -> Int {
        let row = try await client.query(
            """
            SELECT count(*) AS n FROM messages
            WHERE restaurant_id = \(restaurantId)::uuid AND direction = 'outbound' AND status IN ('queued', 'sending')
            """
        ).single()
        return Int(try row.decode("n", as: Int64.self))
    }
}

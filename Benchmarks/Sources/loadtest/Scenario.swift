import ArgumentParser

/// The scenarios of issue 8.
enum Scenario: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Closed model: `customers` customers ordering with think time, for `duration`.
    case steady
    /// Open model: webhooks at a fixed `rate`, latency from the intended send time.
    case open
    /// Open model at rising rates until p99 passes 50 ms.
    case ramp
    /// Steady, with every webhook sent `duplicates` times at once (Twilio retries): each stored and answered once.
    case duplicates
    /// `RATE_CUSTOMER_PER_MIN=20`: chatty customers get 429 (customer), the others never do.
    case ratelimit
    /// One restaurant flooded (its own limit hit) while the others order: the others' latency holds.
    case noisy
    /// Twilio takes 1 request/s for one restaurant (its send rate 60/min): its queue grows and drains, the other
    /// restaurants' replies are unaffected, the server's memory stays bounded.
    case backpressure
    /// Steady, with serve and a worker both sending, while `--fault` is injected (kill -9 of a process, a restart or
    /// freeze of PostgreSQL or Redis, Twilio answering late): every acknowledged message stored and handled once,
    /// every reply delivered once (BENCHMARKS.md, "Chaos").
    case chaos
    /// `sockets` dashboards connected over the restaurants while webhooks arrive at `rate`: every dashboard gets
    /// every `message.received` event of its restaurant (and none of another's), and how long after the server
    /// published each (DESIGN.md: 10,000 dashboards on one instance, fan-out p99 ≤ 100 ms).
    case fanout
    /// Restaurants sending at ``sendRates`` per minute (in turn), each with inbound at twice its rate so its outbound
    /// queue never runs dry, with serve and a worker both sending: each restaurant's replies reach Twilio at its
    /// rate (DESIGN.md: within ±2 %, 100 restaurants sending at once; the bucket is shared through Redis).
    case sendrate

    /// The restaurants' `sendPerMinute` in the sendrate scenario, in turn.
    static let sendRates = [30, 60, 90]

    /// `RATE_CUSTOMER_PER_MIN` the server runs with.
    var customerPerMinute: Int { self == .ratelimit ? 20 : 1_000_000 }
}

import ArgumentParser

/// A fault the chaos scenario injects while 1000 customers order (docs: BENCHMARKS.md, "Chaos").
enum ChaosFault: String, CaseIterable, ExpressibleByArgument, Sendable, Codable {
    /// `kill -9` of `sufra serve` (webhooks, receipts and a sender), started again after a second.
    case serveKill = "serve-kill"
    /// `kill -9` of `sufra worker`, started again after a second (serve runs `--no-sender` in this run, so the worker
    /// carries every reply when it is killed).
    case workerKill = "worker-kill"
    /// PostgreSQL stopped in immediate mode (as a crash: WAL recovery on start) and started again.
    case postgresRestart = "postgres-restart"
    /// Redis shut down without saving (its data is gone: idempotency marks, limiter slices) and started again.
    case redisRestart = "redis-restart"
    /// Every PostgreSQL process stopped with SIGSTOP for the hold time, then SIGCONT: a hung database whose
    /// connections stay open.
    case postgresFreeze = "postgres-freeze"
    /// Redis stopped with SIGSTOP for the hold time, then SIGCONT.
    case redisFreeze = "redis-freeze"
    /// For the hold time, the Twilio sandbox accepts each message (records it, posts its status callbacks) and
    /// answers only after 20 s — past the sender's 15 s timeout, so every send of the window is uncertain.
    case twilioLate = "twilio-late"

    /// True when the fault kills a process that sends replies: a reply Twilio accepted just before the kill, and
    /// whose record the kill prevented, is the one duplicate window the check names (when the lookup before the
    /// resend misses it).
    var killsSender: Bool { self == .serveKill || self == .workerKill }

    /// True when the fault lasts the hold time (a freeze, Twilio answering late); the others are a kill or a restart
    /// followed at once by the start.
    var isHeld: Bool { self == .postgresFreeze || self == .redisFreeze || self == .twilioLate }
}

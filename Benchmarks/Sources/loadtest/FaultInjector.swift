import Foundation
import SufraDev

/// Injects a ``ChaosFault`` into the running system and ends it: kills and restarts `sufra` processes, runs
/// `Benchmarks/chaos/service-fault.sh` for PostgreSQL and Redis, and tells the Twilio sandbox to answer late.
struct FaultInjector: Sendable {
    /// `sufra serve` and `sufra worker`.
    var serve: ServerProcess
    var worker: ServerProcess
    /// The Twilio sandbox and the restaurants' accounts in it.
    var sandbox: TwilioSandbox
    var accounts: [String]
    /// `Benchmarks/chaos/service-fault.sh`.
    var serviceScript: String
    /// How long a held fault (freeze, Twilio late) lasts.
    var hold: Duration
    /// The pause between a kill and the restart (a supervisor's restart delay).
    var restartDelay: Duration = .seconds(1)
    /// How long Twilio (the sandbox) holds its answer in `twilio-late`: past the sender's 15 s timeout.
    var lateAnswer: Duration = .seconds(20)
    /// How long it holds its answer (well within the timeout) around a kill of a sending process.
    var killWindowAnswer: Duration = .milliseconds(500)

    /// Injects `fault`, waits until it is over, and returns when it began and ended (seconds since `start`).
    func inject(_ fault: ChaosFault, start: ContinuousClock.Instant) async throws -> ChaosEvent {
        let began = ContinuousClock.now
        let wall = Date().timeIntervalSince1970
        switch fault {
        case .serveKill:
            await holdingAnswers { await serve.kill9() }
            try await Task.sleep(for: restartDelay)
            try await serve.restart()
        case .workerKill:
            await holdingAnswers { await worker.kill9() }
            try await Task.sleep(for: restartDelay)
            try await worker.restart()
        case .postgresRestart: try await run("postgres-restart")
        case .redisRestart: try await run("redis-restart")
        case .postgresFreeze:
            try await run("postgres-freeze")
            try? await Task.sleep(for: hold)
            try await run("postgres-thaw")
        case .redisFreeze:
            try await run("redis-freeze")
            try? await Task.sleep(for: hold)
            try await run("redis-thaw")
        case .twilioLate:
            let milliseconds = Int(lateAnswer.components.seconds * 1000)
            for account in accounts {
                sandbox.inject(.acceptThenLoseAnswer(milliseconds: milliseconds), account: account, times: nil)
            }
            try? await Task.sleep(for: hold)
            for account in accounts { sandbox.clearFaults(account: account) }
        }
        return ChaosEvent(
            fault: fault, startedAt: Self.seconds(began - start), endedAt: Self.seconds(.now - start),
            wallStartedAt: wall)
    }

    /// Runs `kill` while Twilio (the sandbox) holds each answer for ``killWindowAnswer`` after accepting the message
    /// (from 2 s before): at 80 replies/s, some 40 sends are then between Twilio's acceptance and their record when
    /// the process dies — the window the check names — instead of the one or two a fast sandbox leaves.
    private func holdingAnswers(_ kill: () async -> Void) async {
        let milliseconds =
            Int(killWindowAnswer.components.seconds * 1000)
            + Int(killWindowAnswer.components.attoseconds / 1_000_000_000_000_000)
        for account in accounts {
            sandbox.inject(.acceptThenLoseAnswer(milliseconds: milliseconds), account: account, times: nil)
        }
        try? await Task.sleep(for: .seconds(2))
        await kill()
        for account in accounts { sandbox.clearFaults(account: account) }
    }

    /// Runs the service script with `action` and waits for it; throws when it fails.
    private func run(_ action: String) async throws {
        let status = try await ScriptRunner.run(serviceScript, [action])
        guard status == 0 else { throw HarnessError("\(serviceScript) \(action) exited with \(status)") }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

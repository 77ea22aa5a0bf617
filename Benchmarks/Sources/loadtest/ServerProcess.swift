import Foundation
import Infra

/// A release `sufra` process the harness starts: `sufra serve` (after `sufra migrate`) or `sufra worker`. It
/// watches it (RSS, CPU), stops it with SIGTERM, and — in the chaos runs — kills it with SIGKILL and starts it
/// again with the same arguments. Its output goes to a log file (appended across restarts) so a failed run can be
/// read afterwards.
actor ServerProcess {
    /// What the process runs.
    enum Role: Sendable {
        /// `sufra serve --port <port>`, with `--no-sender` unless `sending`.
        case serve(port: Int, sending: Bool)
        /// `sufra worker` (the outbound sender alone).
        case worker
    }

    /// The server's base URL (`serve`; empty for a worker).
    nonisolated let baseURL: String
    private let role: Role
    private let binary: String
    /// The environment it runs with (a worker of the same system gets the same).
    let environment: [String: String]
    private let log: FileHandle
    private let client: CurlClient
    private var process: Process

    private init(
        role: Role, binary: String, environment: [String: String], log: FileHandle, client: CurlClient,
        process: sending Process
    ) {
        if case .serve(let port, _) = role { baseURL = "http://127.0.0.1:\(port)" } else { baseURL = "" }
        self.role = role
        self.binary = binary
        self.environment = environment
        self.log = log
        self.client = client
        self.process = process
    }

    /// Runs `sufra migrate`, starts `sufra serve` with `environment` on `port` (with `--no-sender` unless
    /// `sending`), and waits until `/health` answers.
    static func start(
        binary: String, environment: [String: String], port: Int, sending: Bool, logPath: String, client: CurlClient
    ) async throws -> ServerProcess {
        let (log, merged) = try prepare(binary: binary, environment: environment, logPath: logPath)
        let migrate = try launch(binary, ["migrate"], environment: merged, log: log)
        while migrate.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        guard migrate.terminationStatus == 0 else { throw HarnessError("sufra migrate failed (see \(logPath))") }
        let role = Role.serve(port: port, sending: sending)
        let serve = try launch(binary, arguments(role), environment: merged, log: log)
        let server = ServerProcess(
            role: role, binary: binary, environment: merged, log: log, client: client, process: serve)
        try await server.waitUntilHealthy()
        return server
    }

    /// Starts `sufra worker` with `environment` (on an already migrated database).
    static func startWorker(
        binary: String, environment: [String: String], logPath: String, client: CurlClient
    ) async throws -> ServerProcess {
        let (log, merged) = try prepare(binary: binary, environment: environment, logPath: logPath)
        let worker = try launch(binary, arguments(.worker), environment: merged, log: log)
        let process = ServerProcess(
            role: .worker, binary: binary, environment: merged, log: log, client: client, process: worker)
        try await process.waitUntilHealthy()
        return process
    }

    private static func prepare(
        binary: String, environment: [String: String], logPath: String
    ) throws -> (FileHandle, [String: String]) {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw HarnessError("no sufra binary at \(binary) (build it: swift build -c release --product sufra)")
        }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw HarnessError("cannot write \(logPath)") }
        return (log, ProcessInfo.processInfo.environment.merging(environment) { $1 })
    }

    private static func arguments(_ role: Role) -> [String] {
        switch role {
        case .serve(let port, let sending): ["serve", "--port", String(port)] + (sending ? [] : ["--no-sender"])
        case .worker: ["worker"]
        }
    }

    private static func launch(
        _ binary: String, _ arguments: [String], environment: [String: String], log: FileHandle
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    /// `serve`: waits (up to 30 s) until `/health` answers 200. A worker has no HTTP side: it must still run
    /// after a second (it exits at once on a bad configuration or an unreachable database).
    private func waitUntilHealthy() async throws {
        guard case .serve = role else {
            try await Task.sleep(for: .seconds(1))
            guard process.isRunning else { throw HarnessError("sufra worker exited (see the server log)") }
            return
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw HarnessError("sufra serve exited (see the server log)") }
            if let health = try? await client.execute(
                CurlClientRequest(url: baseURL + "/health", timeout: .seconds(2))),
                health.status == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw HarnessError("sufra serve did not become healthy in 30 s (see the server log)")
    }

    /// Kills the process with SIGKILL (no shutdown of any kind) and waits until it is gone.
    func kill9() async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }

    /// Starts the process again with the same arguments (after ``kill9()``) and waits until it is up: for
    /// `serve`, until `/health` answers.
    func restart() async throws {
        guard !process.isRunning else { return }
        process = try Self.launch(binary, Self.arguments(role), environment: environment, log: log)
        try await waitUntilHealthy()
    }

    /// Resident memory now and at its peak, in MB (from `/proc/<pid>/status`; since the last start).
    var memory: (rssMB: Double, peakMB: Double) {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        func kilobytes(_ field: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
            return Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return (kilobytes("VmRSS") / 1024, kilobytes("VmHWM") / 1024)
    }

    /// CPU seconds the server used (user + system, from `/proc/<pid>/stat`; since the last start).
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14, stime 15 (1-based over the whole line).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `serve`'s webhook handling times since it last started, from `/metrics` (`sufra_webhook_duration_seconds`):
    /// the cumulative count per bucket bound (`"5"`, `"10"`, `"+Inf"`…); empty when unreadable.
    func webhookDurationBuckets() async -> [String: Int] {
        guard case .serve = role,
            let response = try? await client.execute(
                CurlClientRequest(url: baseURL + "/metrics", timeout: .seconds(5))),
            response.status == 200
        else { return [:] }
        let prefix = "sufra_webhook_duration_seconds_bucket{le=\""
        var buckets: [String: Int] = [:]
        for line in String(decoding: response.body, as: UTF8.self).split(separator: "\n") where line.hasPrefix(prefix) {
            let rest = line.dropFirst(prefix.count)
            guard let quote = rest.firstIndex(of: "\""), let space = rest.lastIndex(of: " "),
                let count = Int(rest[rest.index(after: space)...])
            else { continue }
            buckets[String(rest[..<quote])] = count
        }
        return buckets
    }

    /// The sum of every series of counter `name` on `/metrics` (all label sets), nil if it could not be read.
    func counterTotal(_ name: String) async -> Int? {
        guard case .serve = role,
            let response = try? await client.execute(
                CurlClientRequest(url: baseURL + "/metrics", timeout: .seconds(5))),
            response.status == 200
        else { return nil }
        var total = 0.0
        for line in String(decoding: response.body, as: UTF8.self).split(separator: "\n")
        where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            total += value
        }
        return Int(total)
    }

    /// Sends SIGTERM and waits (up to 15 s) for the graceful shutdown.
    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(15)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

import Foundation
import Infra

/// A release `sufra serve` the harness starts for one scenario (after `sufra migrate`), watches (RSS) and stops
/// with SIGTERM. Its output goes to a log file so a failed run can be read afterwards.
actor ServerProcess {
    /// The server's base URL.
    nonisolated let baseURL: String
    private let process: Process

    private init(baseURL: String, process: sending Process) {
        self.baseURL = baseURL
        self.process = process
    }

    /// Runs `sufra migrate`, starts `sufra serve` with `environment` on `port` (with `--no-sender` unless
    /// `sending`), and waits until `/health` answers.
    static func start(
        binary: String, environment: [String: String], port: Int, sending: Bool, logPath: String, client: CurlClient
    ) async throws -> ServerProcess {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw HarnessError("no sufra binary at \(binary) (build it: swift build -c release --product sufra)")
        }
        FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw HarnessError("cannot write \(logPath)") }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let migrate = try launch(binary, ["migrate"], environment: merged, log: log)
        while migrate.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        guard migrate.terminationStatus == 0 else { throw HarnessError("sufra migrate failed (see \(logPath))") }
        let serve = try launch(
            binary, ["serve", "--port", String(port)] + (sending ? [] : ["--no-sender"]), environment: merged, log: log)
        let baseURL = "http://127.0.0.1:\(port)"
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard serve.isRunning else { throw HarnessError("sufra serve exited (see \(logPath))") }
            if let health = try? await client.execute(CurlClientRequest(url: baseURL + "/health")),
                health.status == 200
            {
                return ServerProcess(baseURL: baseURL, process: serve)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        serve.terminate()
        throw HarnessError("sufra serve did not become healthy in 30 s (see \(logPath))")
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

    /// Resident memory now and at its peak, in MB (from `/proc/<pid>/status`).
    var memory: (rssMB: Double, peakMB: Double) {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        func kilobytes(_ field: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
            return Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return (kilobytes("VmRSS") / 1024, kilobytes("VmHWM") / 1024)
    }

    /// CPU seconds the server used (user + system, from `/proc/<pid>/stat`).
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14, stime 15 (1-based over the whole line).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
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

import Foundation

/// Runs a short script (the service faults) to its end with `posix_spawn` and `waitpid`, not `Process`: on Linux
/// `Process` learns that its child ended when a socket it shares with it closes, and the daemons a script starts
/// (`pg_ctl start`, `redis-server --daemonize`) inherit that socket and keep it open, so the script would seem to
/// run forever.
enum ScriptRunner {
    /// Runs `path` with `arguments` (the environment is the harness's) and returns its exit status.
    static func run(_ path: String, _ arguments: [String]) async throws -> Int32 {
        let argv = ([path] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, nil, nil, argv + [nil], environ)
        guard spawned == 0 else { throw HarnessError("cannot run \(path): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR {
                throw HarnessError("waitpid \(path): \(String(cString: strerror(errno)))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import (macros).
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

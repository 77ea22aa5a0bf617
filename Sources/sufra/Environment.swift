import ArgumentParser
import Foundation
import Logging
import Server

/// Reads the configuration from the environment, or exits with the one-line reason.
func loadConfiguration() throws -> SufraConfiguration {
    do {
        return try SufraConfiguration(environment: ProcessInfo.processInfo.environment)
    } catch {
        throw ValidationError(error.description)
    }
}

/// Bootstraps swift-log with `LOG_FORMAT` once, before the first logger (an invalid value falls back to text;
/// `loadConfiguration()` reports it).
private let loggingBootstrapped: Bool = {
    let format = (try? LogFormat(environment: ProcessInfo.processInfo.environment)) ?? .text
    SufraLogging.bootstrap(format: format)
    return true
}()

/// A logger at `LOG_LEVEL` (default info), in `LOG_FORMAT`.
func makeLogger(_ label: String = "sufra") -> Logger {
    _ = loggingBootstrapped
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    return logger
}

/// Runs `body`; any error becomes one line on stderr and exit status 1.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

import Logging

/// How `sufra` writes logs: `LOG_FORMAT=text` (``TextLogHandler``: swift-log's stream handler lines, the default) or `json` (one
/// ``JSONLogHandler`` object per line). Both carry ``RequestLogContext``'s request and restaurant ids.
public enum LogFormat: String, Sendable {
    /// Human-readable lines on standard error.
    case text
    /// One JSON object per line on standard output.
    case json

    /// `LOG_FORMAT` from `environment` (default text).
    public init(environment: [String: String]) throws(ConfigurationError) {
        let raw = environment["LOG_FORMAT"].map { $0.lowercased() } ?? ""
        guard !raw.isEmpty else {
            self = .text
            return
        }
        guard let format = LogFormat(rawValue: raw) else {
            throw .invalid("LOG_FORMAT", "must be text or json (got '\(raw)')")
        }
        self = format
    }
}

/// Process-wide logging set-up.
public enum SufraLogging {
    /// Bootstraps swift-log once for the process with `format` and the request metadata provider. Call it
    /// before creating any logger.
    public static func bootstrap(format: LogFormat) {
        LoggingSystem.bootstrap(
            { label, provider in
                switch format {
                case .text: TextLogHandler(label: label, metadataProvider: provider)
                case .json: JSONLogHandler(label: label, metadataProvider: provider)
                }
            }, metadataProvider: RequestLogContext.provider)
    }
}

import Logging

/// `LOG_FORMAT=text`: the lines of swift-log's `StreamLogHandler` on standard error, with the handler's metadata
/// formatted only when a line is written.
///
/// `StreamLogHandler` formats its metadata into a string every time the metadata is set, and Hummingbird sets a
/// request id on a fresh logger for every request, so each request paid for a line that was almost never
/// written (about 1.5 % of the server's CPU under load, BENCHMARKS.md). Here setting metadata is a dictionary
/// write; the stream handler is built, and formats, only for a line that passes the level.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    /// Where lines go; nil: standard error.
    private let stream: (any TextOutputStream & Sendable)?

    /// Creates a handler for `label` writing to standard error, or to `stream` (tests).
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        stream: (any TextOutputStream & Sendable)? = nil
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.stream = stream
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line =
            if let stream {
                StreamLogHandler(label: label, stream: stream, metadataProvider: metadataProvider)
            } else {
                StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
            }
        line.logLevel = logLevel
        line.metadata = metadata
        line.log(event: event)
    }
}

import Actors
import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line (`LOG_FORMAT=json`):
/// `{"timestamp":"2026-11-29T18:30:00.123Z","level":"info","logger":"sufra.supervisor","message":"…",
/// "metadata":{"request_id":"…","restaurant_id":"…"}}`.
///
/// Metadata is merged from the handler, the metadata provider (``RequestLogContext``: the request id and
/// restaurant id of the webhook being handled) and the call, later ones winning. Lines are written whole, one
/// `write` per line under a lock shared by every handler of the process, so lines of concurrent tasks never mix.
public struct JSONLogHandler: LogHandler {
    /// Where lines go: standard output in production, a collector in tests.
    public typealias Sink = @Sendable (String) -> Void

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: Sink

    /// Creates a handler for `label` writing to `sink` (standard output by default).
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping Sink = Self.standardOutput
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        sink(
            Self.line(
                timestamp: ISO8601.now(), level: event.level, label: label, message: "\(event.message)",
                metadata: merged))
    }

    /// One log line as JSON (without the newline).
    static func line(
        timestamp: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
    ) -> String {
        var out = "{\"timestamp\":" + JSONText.quoted(timestamp) + ",\"level\":" + JSONText.quoted(level.rawValue)
        out += ",\"logger\":" + JSONText.quoted(label) + ",\"message\":" + JSONText.quoted(message)
        if !metadata.isEmpty { out += ",\"metadata\":" + json(metadata) }
        out += "}"
        return out
    }

    private static func json(_ metadata: Logger.Metadata) -> String {
        "{"
            + metadata.sorted { $0.key < $1.key }.map { JSONText.quoted($0.key) + ":" + json($0.value) }
            .joined(separator: ",") + "}"
    }

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): JSONText.quoted(text)
        case .stringConvertible(let convertible): JSONText.quoted(convertible.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let nested): json(nested)
        }
    }

    private static let outputLock = Mutex(())

    /// Writes `line` and a newline to standard output in one call.
    public static let standardOutput: Sink = { line in
        let bytes = Array((line + "\n").utf8)
        outputLock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = write(1, base + offset, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }
}

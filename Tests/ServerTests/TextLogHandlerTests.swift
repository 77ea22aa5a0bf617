import Logging
import Synchronization
import Testing

@testable import Server

/// The text handler writes swift-log's stream lines, with every source of metadata, only for lines that pass
/// the level.
struct TextLogHandlerTests {
    /// Collects written lines (a reference, so the handler's copies write to the same place).
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func write(_ string: String) { lines.withLock { $0.append(string) } }
    }

    /// `TextOutputStream` for the shared collector.
    struct Stream: TextOutputStream, Sendable {
        let lines: Lines
        mutating func write(_ string: String) { lines.write(string) }
    }

    @Test func linesCarryHandlerProviderAndCallMetadataAndPassTheLevel() {
        let lines = Lines()
        let provider = Logger.MetadataProvider { ["request_id": "r-7"] }
        var handler = TextLogHandler(label: "sufra.text", metadataProvider: provider, stream: Stream(lines: lines))
        handler.logLevel = .info
        handler[metadataKey: "hb.request.id"] = "42"
        #expect(handler[metadataKey: "hb.request.id"] == "42")
        var logger = Logger(label: "sufra.text") { _ in handler }
        logger.debug("not written")
        logger.info("written", metadata: ["sid": "SM1"])
        logger[metadataKey: "restaurant_id"] = "rest-1"
        logger.warning("again")

        let written = lines.all
        #expect(written.count == 2)
        let first = written.first ?? ""
        #expect(first.contains(" info sufra.text: hb.request.id=42 request_id=r-7 sid=SM1 ["))
        #expect(first.hasSuffix("] written\n"))
        let last = written.last ?? ""
        #expect(last.contains("warning sufra.text: hb.request.id=42 request_id=r-7 restaurant_id=rest-1 ["))
    }
}

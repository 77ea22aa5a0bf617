import Foundation

/// ISO-8601 UTC timestamps with milliseconds, as every API field and event carries them.
enum ISO8601 {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Now, e.g. `2026-11-25T22:51:39.123Z`.
    static func now() -> String {
        style.format(Date())
    }

    /// `date` in the same format.
    static func string(_ date: Date) -> String {
        style.format(date)
    }
}

/// Why a `Mailbox` refused an element.
public struct MailboxError: Error, Hashable, CustomStringConvertible {
    private enum Base: Hashable {
        case full, closed, timedOut
    }

    private let base: Base

    /// The mailbox is at its high watermark (policy *reject now*).
    public static let full = MailboxError(base: .full)
    /// The mailbox was closed.
    public static let closed = MailboxError(base: .closed)
    /// The producer's deadline passed before there was room (policy *suspend*).
    public static let timedOut = MailboxError(base: .timedOut)

    public var description: String {
        switch base {
        case .full: "mailbox full"
        case .closed: "mailbox closed"
        case .timedOut: "timed out waiting for room in the mailbox"
        }
    }
}

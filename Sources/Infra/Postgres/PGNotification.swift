/// A `NOTIFY` delivered to a connection that ran `LISTEN`.
public struct PGNotification: Sendable, Hashable {
    /// The channel name.
    public let channel: String
    /// The payload (empty when NOTIFY sent none).
    public let payload: String
    /// The process id of the notifying backend.
    public let backendPID: Int32

    /// Creates a notification value.
    public init(channel: String, payload: String, backendPID: Int32) {
        self.channel = channel
        self.payload = payload
        self.backendPID = backendPID
    }
}

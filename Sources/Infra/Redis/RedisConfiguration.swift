/// Where and how to reach Redis, and the client's limits.
///
/// Built from `REDIS_URL` (`redis://[[user]:password@]host[:port][/db]`) with ``init(url:)``; the limits have
/// production defaults and can be changed after.
public struct RedisConfiguration: Sendable, Hashable {
    /// Host name or IP address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// ACL user name for `AUTH user password` (Redis 6+); nil uses `AUTH password`.
    public var username: String?
    /// Password for `AUTH`; nil sends no `AUTH`.
    public var password: String?
    /// Database index for `SELECT`.
    public var database: Int

    /// Connections the pool keeps open; commands are multiplexed (pipelined) over them.
    public var poolSize: Int = 4
    /// Deadline for each command; a command that misses it fails with ``RedisError/Code/timeout`` and its
    /// connection is dropped (replies are ordered, so the connection cannot be trusted after).
    public var commandTimeout: Duration = .seconds(2)
    /// Deadline for TCP connect plus the `AUTH`/`SELECT` handshake.
    public var connectTimeout: Duration = .seconds(2)
    /// The largest command (sum of argument bytes) the client sends; larger ones fail with
    /// ``RedisError/Code/commandTooLarge`` before anything is written.
    public var maximumCommandBytes: Int = 4 * 1024 * 1024
    /// Reconnect backoff: first delay, doubled per failed attempt up to ``maximumReconnectDelay``.
    public var initialReconnectDelay: Duration = .milliseconds(50)
    /// The longest reconnect backoff.
    public var maximumReconnectDelay: Duration = .seconds(2)
    /// Messages buffered per subscription before the oldest are dropped (a slow consumer loses old events).
    public var subscriptionBufferSize: Int = 1024

    /// A configuration for `host:port`, database 0, no password.
    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
        database: Int = 0
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }
}

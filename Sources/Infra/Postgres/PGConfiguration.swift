/// Where and how to connect to PostgreSQL; turned into libpq connection keywords.
///
/// Build it by hand or from a URL (``init(url:)``): `postgres://user:pass@host:port/db?sslmode=require`, or a
/// Unix socket with `postgres://user@/db?host=/var/run/postgresql`.
///
/// ## Deadlines
/// A database that stops answering (a frozen server, a half-open connection after a failover) must not hold
/// callers forever. Four layers bound it, each configurable here (defaults in parentheses):
/// - ``requestTimeout`` (5 s): the client-side deadline of one request on a connection. A request that misses
///   it fails with a `.requestTimeout` ``PGError`` and its connection is closed, never reused.
/// - ``statementTimeout`` (4 s) and ``idleInTransactionSessionTimeout`` (30 s): session settings, so that
///   the server itself cancels a slow statement (SQLSTATE 57014, the connection stays usable) before the
///   client gives up, and ends a session that holds a transaction open and idle.
/// - ``keepalives`` (idle 10 s, every 5 s, 3 probes) and ``tcpUserTimeout`` (10 s): the kernel notices a
///   dead peer on an idle connection, and data left unacknowledged, instead of waiting for TCP's ~15 minutes.
/// - ``connectTimeout`` (5 s): connecting, including authentication.
///
/// The session settings travel in the startup packet's `options` (with the settings decoding relies on).
/// PgBouncer does not forward `options`: behind it, set `ignore_startup_parameters = options` and give the
/// role the settings instead (`ALTER ROLE sufra SET statement_timeout = '4s'`, likewise `TimeZone = 'UTC'`,
/// `DateStyle = 'ISO, MDY'`, `bytea_output = 'hex'`, `IntervalStyle = 'iso_8601'`).
public struct PGConfiguration: Sendable, Hashable {
    /// TCP keepalive probing of an idle connection (libpq `keepalives_idle`, `keepalives_interval`,
    /// `keepalives_count`).
    public struct Keepalives: Sendable, Hashable {
        /// Idle time before the first probe.
        public var idle: Duration
        /// Time between unanswered probes.
        public var interval: Duration
        /// Unanswered probes before the kernel declares the connection dead.
        public var count: Int

        /// Creates keepalive settings.
        public init(idle: Duration = .seconds(10), interval: Duration = .seconds(5), count: Int = 3) {
            self.idle = idle
            self.interval = interval
            self.count = count
        }
    }

    /// Host name or IP address; nil with ``unixSocketDirectory`` set means the socket. A name is resolved off
    /// the event loop and the cooperative pool (``HostResolver``) and passed to libpq as `hostaddr`.
    public var host: String?
    /// TCP port, or the socket file's port suffix.
    public var port: Int
    /// Directory holding the server's Unix socket (takes the place of ``host``).
    public var unixSocketDirectory: String?
    /// Role name.
    public var user: String
    /// Password, if the server asks for one.
    public var password: String?
    /// Database name.
    public var database: String
    /// libpq `sslmode` (disable, allow, prefer, require, verify-ca, verify-full); nil leaves libpq's default.
    public var sslMode: String?
    /// `application_name` shown in `pg_stat_activity`.
    public var applicationName: String
    /// How long connecting may take (also passed to libpq as `connect_timeout`, whole seconds, at least 2).
    public var connectTimeout: Duration
    /// Client-side deadline of one request (a statement, a script or a pipeline), counted from the moment
    /// it is sent. Missing it fails the request with `.requestTimeout` and closes the connection, whose state
    /// is then unknown. Nil: no deadline (a connection can change it: ``PGConnection/setRequestTimeout(_:)``).
    public var requestTimeout: Duration?
    /// The session's `statement_timeout` (server-side, whole milliseconds); nil leaves the server's default.
    /// Keep it below ``requestTimeout`` so the server cancels first and the connection survives.
    public var statementTimeout: Duration?
    /// The session's `idle_in_transaction_session_timeout`; nil leaves the server's default.
    public var idleInTransactionSessionTimeout: Duration?
    /// TCP keepalives; nil turns them off (`keepalives=0`).
    public var keepalives: Keepalives?
    /// libpq `tcp_user_timeout`: how long transmitted data may stay unacknowledged before the kernel closes
    /// the connection; nil leaves the system default.
    public var tcpUserTimeout: Duration?
    /// Further libpq keywords passed through untouched (e.g. `sslrootcert`).
    public var extraParameters: [String: String]

    /// Creates a configuration for a TCP server, with the default deadlines (see the type's documentation).
    public init(
        host: String = "127.0.0.1", port: Int = 5432, user: String, password: String? = nil, database: String,
        sslMode: String? = nil, applicationName: String = "sufra", connectTimeout: Duration = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.unixSocketDirectory = nil
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.requestTimeout = .seconds(5)
        self.statementTimeout = .seconds(4)
        self.idleInTransactionSessionTimeout = .seconds(30)
        self.keepalives = Keepalives()
        self.tcpUserTimeout = .seconds(10)
        self.extraParameters = [:]
    }

    /// The session settings every connection starts with; decoding relies on them (ISO dates in UTC, hex bytea).
    static let decodingOptions = "-c TimeZone=UTC -c DateStyle=ISO,MDY -c bytea_output=hex -c IntervalStyle=iso_8601"

    /// The startup `options`: the decoding settings and the configured session timeouts.
    var sessionOptions: String {
        var options = Self.decodingOptions
        if let statementTimeout {
            options += " -c statement_timeout=\(Self.milliseconds(statementTimeout))"
        }
        if let idleInTransactionSessionTimeout {
            options += " -c idle_in_transaction_session_timeout=\(Self.milliseconds(idleInTransactionSessionTimeout))"
        }
        return options
    }

    /// libpq keyword/value pairs for `PQconnectStartParams`.
    var libpqParameters: [(String, String)] {
        var parameters: [(String, String)] = []
        if let unixSocketDirectory {
            parameters.append(("host", unixSocketDirectory))
        } else if let host {
            parameters.append(("host", host))
        }
        parameters.append(("port", String(port)))
        parameters.append(("user", user))
        if let password { parameters.append(("password", password)) }
        parameters.append(("dbname", database))
        if let sslMode { parameters.append(("sslmode", sslMode)) }
        parameters.append(("application_name", applicationName))
        parameters.append(("client_encoding", "UTF8"))
        parameters.append(("options", sessionOptions))
        // libpq counts whole seconds and treats 1 as 2; the loop's own timer keeps the precise deadline.
        let connectSeconds = max(2, (Self.milliseconds(connectTimeout) + 999) / 1000)
        parameters.append(("connect_timeout", String(connectSeconds)))
        if let keepalives {
            parameters.append(("keepalives", "1"))
            parameters.append(("keepalives_idle", String(max(1, Self.milliseconds(keepalives.idle) / 1000))))
            parameters.append(("keepalives_interval", String(max(1, Self.milliseconds(keepalives.interval) / 1000))))
            parameters.append(("keepalives_count", String(max(1, keepalives.count))))
        } else {
            parameters.append(("keepalives", "0"))
        }
        if let tcpUserTimeout { parameters.append(("tcp_user_timeout", String(Self.milliseconds(tcpUserTimeout)))) }
        for (key, value) in extraParameters.sorted(by: { $0.key < $1.key }) {
            parameters.append((key, value))
        }
        return parameters
    }

    /// Whole milliseconds of `duration` (rounded down, never negative).
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

/// Where and how to connect to PostgreSQL; turned into libpq connection keywords.
///
/// Build it by hand or from a URL (``init(url:)``): `postgres://user:pass@host:port/db?sslmode=require`, or a
/// Unix socket with `postgres://user@/db?host=/var/run/postgresql`.
public struct PostgresConfiguration: Sendable, Hashable {
    /// Host name or IP address; nil with ``unixSocketDirectory`` set means the socket.
    /// Prefer an IP address: libpq resolves names synchronously when a connection starts.
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
    /// How long connecting may take.
    public var connectTimeout: Duration
    /// Further libpq keywords passed through untouched (e.g. `sslrootcert`).
    public var extraParameters: [String: String]

    /// Creates a configuration for a TCP server.
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
        self.extraParameters = [:]
    }

    /// The session settings every connection starts with; decoding relies on them (ISO dates in UTC, hex bytea).
    static let sessionOptions = "-c TimeZone=UTC -c DateStyle=ISO,MDY -c bytea_output=hex -c IntervalStyle=iso_8601"

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
        parameters.append(("options", Self.sessionOptions))
        for (key, value) in extraParameters.sorted(by: { $0.key < $1.key }) {
            parameters.append((key, value))
        }
        return parameters
    }
}

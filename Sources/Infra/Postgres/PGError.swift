/// An error from the PostgreSQL layer: the server refused a statement, the connection broke, the pool could
/// not hand out a connection, or a value did not decode.
///
/// Match on ``code`` (a struct of static values, so new cases never break callers) or use the shortcuts
/// ``isConnectionError`` (the server or network is unavailable: answer 503, retry later) and
/// ``isUniqueViolation`` (SQLSTATE 23505).
public struct PGError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case server, connectionFailed, connectionClosed, connectTimeout, requestTimeout
            case acquireTimeout, poolNotRunning, poolShutDown, tooManyWaiters, unavailable
            case pipelineAborted, transactionRolledBack, decoding, unsupported, invalidQuery
        }
        fileprivate let base: Base
        fileprivate init(_ base: Base) { self.base = base }

        /// The server answered the statement with an error (see ``PGError/sqlState``).
        public static let server = Code(.server)
        /// Connecting failed (refused, authentication, bad database, …).
        public static let connectionFailed = Code(.connectionFailed)
        /// An established connection broke or was closed; the statement's outcome is unknown.
        public static let connectionClosed = Code(.connectionClosed)
        /// Connecting took longer than the configured connect timeout.
        public static let connectTimeout = Code(.connectTimeout)
        /// A request missed its deadline (``PGConfiguration/requestTimeout``); its connection was closed and
        /// the statement's outcome is unknown.
        public static let requestTimeout = Code(.requestTimeout)
        /// No connection became free within the pool's acquire timeout.
        public static let acquireTimeout = Code(.acquireTimeout)
        /// The pool's `run()` was not running when the acquire timeout expired.
        public static let poolNotRunning = Code(.poolNotRunning)
        /// The pool is shutting down or has shut down.
        public static let poolShutDown = Code(.poolShutDown)
        /// Too many callers are already waiting for a connection.
        public static let tooManyWaiters = Code(.tooManyWaiters)
        /// The server is unreachable and the pool is backing off before trying again (circuit open).
        public static let unavailable = Code(.unavailable)
        /// A pipelined statement was skipped because an earlier statement in the same pipeline failed.
        public static let pipelineAborted = Code(.pipelineAborted)
        /// `COMMIT` answered `ROLLBACK`: a statement inside the transaction failed and was swallowed.
        public static let transactionRolledBack = Code(.transactionRolledBack)
        /// A column could not be decoded as the requested Swift type.
        public static let decoding = Code(.decoding)
        /// The server sent something this client does not handle (e.g. COPY).
        public static let unsupported = Code(.unsupported)
        /// The query could not be built (e.g. too many parameters).
        public static let invalidQuery = Code(.invalidQuery)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The primary message (the server's, or this client's).
    public let message: String
    /// The five-character SQLSTATE when the server reported one (e.g. "23505").
    public let sqlState: String?
    /// The server's DETAIL field.
    public let detail: String?
    /// The server's HINT field.
    public let hint: String?
    /// The constraint a violation is about.
    public let constraint: String?
    /// The table a violation is about.
    public let table: String?
    /// The column a violation is about.
    public let column: String?

    init(
        _ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    /// True when the database could not be reached or the connection broke: nothing about the statement
    /// itself was wrong, and trying again later may work. The webhook answers 503 on these.
    public var isConnectionError: Bool {
        switch code.base {
        case .connectionFailed, .connectionClosed, .connectTimeout, .requestTimeout, .acquireTimeout, .poolNotRunning,
            .poolShutDown,
            .tooManyWaiters, .unavailable:
            return true
        case .server:
            // Class 08 (connection exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now) and
            // 57014 (query_canceled: `statement_timeout` fired, the server is too slow to answer now).
            guard let sqlState else { return false }
            return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "57014"].contains(sqlState)
        default:
            return false
        }
    }

    /// True for SQLSTATE 23505 (`unique_violation`), e.g. a duplicate `MessageSid`.
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// True for SQLSTATE 40001 (`serialization_failure`) and 40P01 (`deadlock_detected`): retry the transaction.
    public var isRetryableTransactionFailure: Bool { sqlState == "40001" || sqlState == "40P01" }

    public var description: String {
        var text = "PGError(\(code)"
        if let sqlState { text += " \(sqlState)" }
        text += "): \(message)"
        if let detail { text += " DETAIL: \(detail)" }
        if let constraint { text += " CONSTRAINT: \(constraint)" }
        return text
    }
}

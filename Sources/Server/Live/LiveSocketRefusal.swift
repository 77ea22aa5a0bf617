import NIOWebSocket

/// Why the hub did not take a dashboard socket. The socket was already upgraded (a browser cannot read the status
/// of a refused handshake), so it is closed at once with a code and reason the page can show: `1013 try again
/// later` when a limit is reached, `1001 going away` when the process is shutting down.
enum LiveSocketRefusal: Error, Equatable {
    /// The restaurant already has `limit` sockets on this process (`DASHBOARD_SOCKETS_PER_RESTAURANT`).
    case restaurantFull(limit: Int)
    /// This process already has `limit` sockets (`DASHBOARD_SOCKETS_MAX`).
    case serverFull(limit: Int)
    /// The hub is shutting down.
    case shuttingDown

    /// The WebSocket close code: 1013 (RFC 6455's registry: try again later) for a limit, 1001 for shutdown.
    var closeCode: WebSocketErrorCode {
        switch self {
        case .restaurantFull, .serverFull: .unknown(1013)
        case .shuttingDown: .goingAway
        }
    }

    /// The close frame's reason.
    var closeReason: String {
        switch self {
        case .restaurantFull: "too many dashboards for this restaurant"
        case .serverFull: "server full"
        case .shuttingDown: "shutting down"
        }
    }
}

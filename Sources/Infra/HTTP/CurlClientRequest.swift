/// An HTTP request for ``CurlClient``.
public struct CurlClientRequest: Sendable {
    /// The method, e.g. `GET`, `POST`.
    public var method: String
    /// The absolute URL (`http://` or `https://`).
    public var url: String
    /// Header fields in order; repeated names are sent repeatedly.
    public var headers: [(name: String, value: String)]
    /// The body (empty for none).
    public var body: [UInt8]
    /// Overrides the client's total timeout for this request.
    public var timeout: Duration?

    /// Creates a request.
    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// An HTTP response from ``CurlClient``.
public struct CurlClientResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields in the order received (of the final response when there were interim ones).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

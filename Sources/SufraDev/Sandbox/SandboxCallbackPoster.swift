import Infra

/// What posts the sandbox's status callbacks: a ``CurlClient`` unless the sandbox's owner brings its own client
/// (the load harness does, to spend less of the machine it shares with the server it measures).
public protocol SandboxCallbackPoster: Sendable {
    /// Posts one signed status callback and ignores the answer: a receiver that is down misses this status, as
    /// with Twilio, which does not retry callbacks either.
    func postCallback(url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration) async
}

extension CurlClient: SandboxCallbackPoster {
    /// Posts the callback through libcurl and ignores the answer.
    public func postCallback(
        url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration
    ) async {
        _ = try? await execute(
            CurlClientRequest(method: "POST", url: url, headers: headers, body: body, timeout: timeout))
    }
}

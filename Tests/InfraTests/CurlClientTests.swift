import Glibc
import Testing

@testable import Infra

/// HTTP client behaviour that needs no HTTP server (the sandbox-backed tests are in ServerTests).
@Suite("CurlClient", .timeLimit(.minutes(3)))
struct CurlClientTests {
    /// A TCP listener that completes handshakes (kernel backlog) but never reads or answers.
    final class SilentListener {
        let fd: Int32
        let port: Int

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.fd = fd
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0, listen(fd, 64) == 0 else { throw CurlClientError.invalidRequest("listen failed") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(fd) }
    }

    /// A client letting at most `limit` transfers per host into libcurl.
    static func client(maxConnectionsPerHost limit: Int) -> CurlClient {
        var configuration = CurlClientConfiguration()
        configuration.maxConnectionsPerHost = limit
        return CurlClient(configuration: configuration)
    }

    /// `execute`'s outcome as a value, for task groups.
    static func outcome(
        of client: CurlClient, _ request: CurlClientRequest
    ) async -> Result<CurlClientResponse, CurlClientError> {
        do throws(CurlClientError) {
            return .success(try await client.execute(request))
        } catch {
            return .failure(error)
        }
    }

    @Test func aHangingServerTimesOutOnTime() async throws {
        let listener = try SilentListener()
        let client = CurlClient()
        let start = ContinuousClock.now
        await #expect(throws: CurlClientError.timedOut) {
            try await client.execute(
                CurlClientRequest(url: "http://127.0.0.1:\(listener.port)/", timeout: .milliseconds(300)))
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(290) && elapsed < .seconds(5), "took \(elapsed)")
    }

    @Test(arguments: ["evil\r\nX-Injected: 1", "evil\nX-Injected: 1", "evil\r"])
    func aHeaderWithALineBreakIsRefusedBeforeAnythingIsSent(_ value: String) async throws {
        let listener = try SilentListener()
        let client = CurlClient()
        do throws(CurlClientError) {
            _ = try await client.execute(
                CurlClientRequest(url: "http://127.0.0.1:\(listener.port)/", headers: [("X-Test", value)]))
            Issue.record("expected the request to be refused")
        } catch {
            #expect(error == .invalidRequest("header contains a line break"))
            #expect(!error.requestMayHaveBeenSent)
        }
    }

    @Test func aClosedPortFailsToConnect() async throws {
        let port: Int
        do {
            let listener = try SilentListener()
            port = listener.port
        }
        let client = CurlClient()
        do {
            _ = try await client.execute(CurlClientRequest(url: "http://127.0.0.1:\(port)/"))
            Issue.record("expected a connection failure")
        } catch {
            #expect(error.isConnectFailure)
        }
    }

    @Test func cancellationRemovesTheTransfer() async throws {
        let listener = try SilentListener()
        let client = CurlClient()
        let start = ContinuousClock.now
        let url = "http://127.0.0.1:\(listener.port)/"
        let result = await withTaskGroup(of: Result<CurlClientResponse, CurlClientError>.self) { group in
            group.addTask { await Self.outcome(of: client, CurlClientRequest(url: url, timeout: .seconds(30))) }
            // Cancel once the transfer is in flight (connected to the silent listener), not before it started.
            while await client.transfersInFlight == 0, !Task.isCancelled { await Task.yield() }
            group.cancelAll()
            return await group.next() ?? .failure(.timedOut)
        }
        #expect(throws: CurlClientError.cancelled) { try result.get() }
        #expect(await client.transfersInFlight == 0)
        #expect(ContinuousClock.now - start < .seconds(15))
        #expect(await client.transfersCompleted == 1)
    }

    @Test func transfersBeyondTheHostLimitWaitInTheClientAndTimeOutOnTheirOwnDeadline() async throws {
        let listener = try SilentListener()
        let client = Self.client(maxConnectionsPerHost: 2)
        let url = "http://127.0.0.1:\(listener.port)/"
        let start = ContinuousClock.now
        /// Whether the transfer held a slot, how it failed, and when it ended.
        typealias Ending = (holder: Bool, error: CurlClientError?, after: Duration)
        func request(_ timeout: Duration, holder: Bool) async -> Ending {
            let outcome = await Self.outcome(of: client, CurlClientRequest(url: url, timeout: timeout))
            guard case .failure(let error) = outcome else { return (holder, nil, ContinuousClock.now - start) }
            return (holder, error, ContinuousClock.now - start)
        }
        let endings = await withTaskGroup(of: Ending.self) { group in
            // Two take the slots (connected to the listener, which never answers) and keep them for 1.5 s …
            for _ in 0..<2 { group.addTask { await request(.milliseconds(1500), holder: true) } }
            while await client.transfersInFlight < 2, ContinuousClock.now - start < .seconds(5) { await Task.yield() }
            // … so four more wait in the client, each with a deadline that passes long before a slot comes free.
            for _ in 0..<4 { group.addTask { await request(.milliseconds(400), holder: false) } }
            while await client.transfersWaiting < 4, ContinuousClock.now - start < .seconds(5) { await Task.yield() }
            #expect(await client.transfersInFlight == 2)
            #expect(await client.transfersWaiting == 4)
            return await group.reduce(into: [Ending]()) { $0.append($1) }
        }
        #expect(endings.count == 6)
        #expect(endings.allSatisfy { $0.error == .timedOut })
        let waiting = endings.filter { !$0.holder }
        // The waiting ones fail at their own deadline (waiting counts), not one timeout after a slot came free, and
        // nothing of theirs was sent.
        #expect(waiting.count == 4)
        #expect(waiting.allSatisfy { $0.after < .milliseconds(1200) }, "\(waiting.map(\.after))")
        #expect(waiting.allSatisfy { $0.error?.requestMayHaveBeenSent == false }, "waiting transfers sent nothing")
        #expect(await client.transfersInFlight == 0)
        #expect(await client.transfersWaiting == 0)
    }

    @Test func aCancelledWaitingTransferLeavesTheQueue() async throws {
        let listener = try SilentListener()
        let client = Self.client(maxConnectionsPerHost: 1)
        let url = "http://127.0.0.1:\(listener.port)/"
        let start = ContinuousClock.now
        let result = await withTaskGroup(of: Result<CurlClientResponse, CurlClientError>.self) { group in
            // The first holds the only slot until the group is cancelled.
            group.addTask { await Self.outcome(of: client, CurlClientRequest(url: url, timeout: .seconds(30))) }
            while await client.transfersInFlight == 0, !Task.isCancelled { await Task.yield() }
            group.addTask { await Self.outcome(of: client, CurlClientRequest(url: url, timeout: .seconds(30))) }
            while await client.transfersWaiting == 0, ContinuousClock.now - start < .seconds(5) { await Task.yield() }
            #expect(await client.transfersWaiting == 1)
            group.cancelAll()
            var results: [Result<CurlClientResponse, CurlClientError>] = []
            while let next = await group.next() { results.append(next) }
            return results
        }
        #expect(result.count == 2)
        for outcome in result { #expect(throws: CurlClientError.cancelled) { try outcome.get() } }
        #expect(await client.transfersWaiting == 0)
        #expect(await client.transfersInFlight == 0)
    }

    @Test func badURLsAreRejected() async {
        let client = CurlClient()
        await #expect(throws: CurlClientError.self) {
            try await client.execute(CurlClientRequest(url: "ftp://127.0.0.1/"))
        }
        await #expect(throws: CurlClientError.self) {
            try await client.execute(CurlClientRequest(url: "http://127.0.0.1:1/", headers: [("X", "a\r\nB: c")]))
        }
    }
}

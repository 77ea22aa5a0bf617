import Hummingbird
import Infra
import Logging
import Server
import ServiceLifecycle

/// A status callback to deliver.
struct SandboxCallbackJob: Sendable {
    var message: SandboxMessage
    var url: String
    var authToken: String
}

/// `sufra dev` mounts the sandbox into the server (``MountedService``): its routes join the server's router.
extension TwilioSandbox: MountedService {
    /// Delivers status callbacks until cancelled or asked to shut down gracefully (callbacks in flight finish).
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for await job in callbackJobs.cancelOnGracefulShutdown() {
                group.addTask { await self.deliver(job) }
            }
        }
    }

    /// Posts each configured status in order, signed with the account's token as Twilio signs them.
    func deliver(_ job: SandboxCallbackJob) async {
        for status in configuration.callbackStatuses {
            let parameters: [(name: String, value: String)] = [
                ("MessageSid", job.message.sid), ("SmsSid", job.message.sid), ("MessageStatus", status),
                ("SmsStatus", status), ("AccountSid", job.message.accountSid), ("From", job.message.from),
                ("To", job.message.to), ("ApiVersion", "2010-04-01"),
            ]
            let signature = TwilioSignature.compute(authToken: job.authToken, url: job.url, parameters: parameters)
            await callbackPoster.postCallback(
                url: job.url,
                headers: [
                    ("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature),
                    ("User-Agent", "TwilioProxy/1.1"),
                ],
                body: Array(FormURLEncoding.encode(parameters).utf8), timeout: .seconds(10))
        }
    }

    /// Runs the sandbox alone: an HTTP server on `host:port` (0 picks a free port, passed to `onStarted`) plus the
    /// callback delivery, until the task is cancelled.
    public func run(
        host: String = "127.0.0.1", port: Int = 0, onStarted: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let router = Router()
        addRoutes(to: router)
        var logger = Logger(label: "sufra.twilio-sandbox")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)), services: [self],
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? port) }, logger: logger)
        try await app.run()
    }
}

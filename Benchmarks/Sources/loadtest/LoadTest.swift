import ArgumentParser
import Foundation
import Infra
import Logging
import Server
import SufraDev

/// The load harness: starts a release `sufra serve` on a scratch database with its own Twilio sandbox, creates
/// restaurants through the admin API, runs a scenario of simulated customers, checks correctness, and prints a
/// table and writes a JSON file. Exits non-zero on any loss, duplicate or failed scenario check.
@main
struct LoadTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest", abstract: "Simulate concurrent WhatsApp customers against Sufra.")

    @Option(help: "steady | open | ramp | duplicates | ratelimit | noisy | backpressure | chaos | fanout | sendrate")
    var scenario: Scenario = .steady
    @Option(help: "Concurrent customers.") var customers = 1000
    @Option(help: "Restaurants (customers are spread over them).") var restaurants = 10
    @Option(help: "Seconds of load (per ramp step for ramp).") var duration = 30.0
    @Option(help: "Closed mode: mean think time between messages, ms.") var thinkMs = 1000
    @Option(help: "Open mode: webhooks per second (noisy: the flood's rate; fanout: the customers' rate).")
    var rate = 1000
    @Option(help: "Fanout: dashboard WebSockets, spread over the restaurants.") var sockets = 10_000
    @Option(help: "Sendrate: run a sufra worker that sends beside serve (true) or serve alone (false).")
    var sendrateWorker = true
    @Option(help: "Ramp: first rate, increment and last rate (webhooks/s).") var rampStart = 500
    @Option var rampStep = 500
    @Option var rampMax = 10_000
    @Option(help: "Copies of each webhook (duplicates scenario: 3).") var duplicates: Int?
    @Option(help: "Wait for each reply at the sandbox (false: no sandbox, and the server runs --no-sender).")
    var replies = true
    @Option(help: "Seconds a customer waits for one reply.") var replyTimeout = 10.0
    @Option(help: "Every n-th order of a customer is prepared, handed over by staff and rated (0: none).")
    var ratingEvery = 4
    @Option(help: "The release sufra binary.") var sufra = "Benchmarks/.build/release/sufra"
    @Option(help: "Port for sufra serve (0: pick one).") var port = 0
    @Option(help: "HTTP connections from the harness to the server.") var connections = 256
    @Option(help: "Write the result here.") var json = "loadtest-result.json"
    @Option(help: "Server log file.") var serverLog = "loadtest-server.log"
    @Flag(help: "Keep the scratch database.") var keepDatabase = false
    @Option(help: "Chaos: the fault (\(ChaosFault.allCases.map(\.rawValue).joined(separator: " | "))).")
    var fault: ChaosFault?
    @Option(help: "Chaos: seconds of load before the first injection.") var faultAt = 20.0
    @Option(help: "Chaos: injections (each --fault-interval seconds after the previous one began).") var faultCount = 1
    @Option(help: "Chaos: seconds between injections.") var faultInterval = 60.0
    @Option(help: "Chaos: seconds a freeze or Twilio's late answers last.") var hold = 20.0
    @Option(help: "Chaos: the script that restarts and freezes PostgreSQL and Redis.")
    var serviceScript = "Benchmarks/chaos/service-fault.sh"
    @Option(help: "Chaos and sendrate: the worker's log file.") var workerLog = "loadtest-worker.log"

    func validate() throws {
        if scenario == .chaos && fault == nil { throw ValidationError("--scenario chaos needs --fault") }
    }

    func run() async throws {
        var logger = Logger(label: "loadtest")
        logger.logLevel = .warning
        let environment = ProcessInfo.processInfo.environment
        guard let adminURL = environment["DATABASE_URL"] ?? environment["TEST_DATABASE_URL"] else {
            throw ValidationError("DATABASE_URL is required (eval \"$(scripts/services env)\")")
        }
        let redisURL = environment["REDIS_URL"] ?? "redis://127.0.0.1:6379/0"
        let loadBefore = Self.loadAverage()
        let database = try await ScratchDatabase.create(adminURL: adminURL, logger: logger)
        var clientConfiguration = CurlClientConfiguration()
        clientConfiguration.maxConnectionsPerHost = connections
        clientConfiguration.maxCachedConnections = connections * 2
        let client = CurlClient(configuration: clientConfiguration)
        // Webhooks and status callbacks each on their own connections, as customers' and Twilio's would be.
        let keepAlive = KeepAliveHTTPClient(connectionsPerOrigin: connections)
        let sandbox = replies ? TwilioSandbox(callbackPoster: KeepAliveHTTPClient(connectionsPerOrigin: 64)) : nil
        let result: ScenarioResult
        do {
            result = try await withSandbox(sandbox) { sandboxPort in
                try await runScenario(
                    database: database, redisURL: redisURL, sandbox: sandbox, sandboxPort: sandboxPort, client: client,
                    keepAlive: keepAlive,
                    loadBefore: loadBefore, logger: logger)
            }
        } catch {
            if !keepDatabase { await database.drop(logger: logger) }
            throw error
        }
        if !keepDatabase { await database.drop(logger: logger) }
        print(ReportTable.render(result))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(result).write(to: URL(fileURLWithPath: json))
        print("wrote \(json)")
        let checksHeld = result.checks.values.allSatisfy { $0 }
        guard result.verification.passed, checksHeld else { throw ExitCode.failure }
    }

    /// Runs `body` with the sandbox listening (its port), or with port 0 when replies are not watched.
    private func withSandbox<Value: Sendable>(
        _ sandbox: TwilioSandbox?, _ body: (Int) async throws -> Value
    ) async throws -> Value {
        guard let sandbox else { return try await body(0) }
        let (ports, portInput) = AsyncStream.makeStream(of: Int.self)
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask {
                try await sandbox.run(port: 0) { portInput.yield($0) }
                return nil
            }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw HarnessError("sandbox did not start") }
            return try await body(port)
        }
    }

    /// Whether `serve` runs its sender. In the chaos runs serve and a worker both send, and serve (woken by its own
    /// commits) sends nearly every reply; to kill a worker that carries the replies, `worker-kill` runs serve with
    /// `--no-sender`.
    private var serveSends: Bool { !(scenario == .chaos && fault == .workerKill) }

    private func runScenario(
        database: ScratchDatabase, redisURL: String, sandbox: TwilioSandbox?, sandboxPort: Int, client: CurlClient,
        keepAlive: KeepAliveHTTPClient,
        loadBefore: String, logger: Logger
    ) async throws -> ScenarioResult {
        // Below Linux's ephemeral range (32768 and up): ten thousand dashboard sockets take that many client ports.
        let serverPort = port == 0 ? Int.random(in: 20_000...32_000) : port
        let adminToken = UUID().uuidString
        let publicURL = "http://127.0.0.1:\(serverPort)"
        let masterKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let jwtSecret = UUID().uuidString + UUID().uuidString
        let server = try await ServerProcess.start(
            binary: sufra,
            environment: [
                "DATABASE_URL": database.url, "REDIS_URL": redisURL, "PUBLIC_URL": publicURL, "MASTER_KEY": masterKey,
                "JWT_SECRET": jwtSecret, "ADMIN_TOKEN": adminToken,
                "TWILIO_API_BASE": "http://127.0.0.1:\(sandboxPort)", "RATE_GLOBAL_PER_MIN": "100000000",
                "RATE_CUSTOMER_PER_MIN": String(scenario.customerPerMinute), "LOG_LEVEL": "warning",
            ],
            port: serverPort, sending: sandbox != nil && serveSends, logPath: serverLog, client: client)
        var worker: ServerProcess?
        do {
            // Chaos kills one of two senders; sendrate measures one restaurant's rate with two processes sending.
            if scenario == .chaos || (scenario == .sendrate && sendrateWorker) {
                worker = try await ServerProcess.startWorker(
                    binary: sufra, environment: server.environment, logPath: workerLog, client: client)
            }
            let runTag = String(Int.random(in: 100_000...999_999))
            let admin = AdminAPI(baseURL: server.baseURL, token: adminToken, client: client)
            var created: [LoadRestaurant] = []
            for index in 0..<max(restaurants, [.noisy, .backpressure].contains(scenario) ? 2 : 1) {
                // The noisy scenario's first restaurant keeps a tight inbound limit of its own: 600/min (10/s); the
                // backpressure scenario's first restaurant sends at the default 60/min, and Twilio (the
                // sandbox) takes 1 request/s from it.
                let perMinute = scenario == .noisy && index == 0 ? 600 : 100_000
                let sendPerMinute =
                    switch scenario {
                    case .backpressure where index == 0: 60
                    case .sendrate: Scenario.sendRates[index % Scenario.sendRates.count]
                    default: perMinute
                    }
                let restaurant = try await admin.createRestaurant(
                    index: index, runTag: runTag, perMinute: perMinute, sendPerMinute: sendPerMinute)
                sandbox?.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
                if scenario == .backpressure && index == 0 {
                    sandbox?.setRateLimit(account: restaurant.accountSid, perSecond: 1)
                }
                created.append(restaurant)
            }
            let settings = LoadSettings(
                customers: customers, duration: .seconds(duration), thinkTime: .milliseconds(thinkMs), rate: rate,
                rampStart: rampStart, rampStep: rampStep, rampMax: rampMax, runTag: runTag, sockets: sockets)
            let inbox = ReplyInbox(sandbox: sandbox, timeout: .seconds(replyTimeout))
            var context = LoadContext(
                sender: WebhookSender(baseURL: server.baseURL, publicURL: publicURL, client: keepAlive), inbox: inbox,
                recorder: LoadRecorder(timelineStart: scenario == .chaos ? .now : nil),
                duplicates: duplicates ?? (scenario == .duplicates ? 3 : 1))
            context.ratingEvery = ratingEvery
            let probe = QueueProbe(databaseURL: database.url, logger: logger)
            let machineBefore = MachineCPU.read()
            var outcome: ScenarioOutcome
            if let fault, let worker, let sandbox {
                // No staff (a move whose answer a fault lost would leave the ledger unsure of the replies owed) and
                // Twilio-like retries of every refused message until it is stored.
                context.ratingEvery = 0
                context.retry = .chaos
                let injector = FaultInjector(
                    serve: server, worker: worker, sandbox: sandbox, accounts: created.map(\.accountSid),
                    serviceScript: serviceScript, hold: .seconds(hold))
                let plan = ChaosPlan(
                    fault: fault, firstAt: .seconds(faultAt), count: faultCount, interval: .seconds(faultInterval),
                    injector: injector)
                outcome = await ScenarioRunner(
                    settings: settings, context: context, restaurants: created, probe: probe, chaosPlan: plan
                ).run(scenario)
            } else {
                outcome = try await withPostgres(url: database.url, logger: logger) { [context, created] lookups in
                    var context = context
                    context.staff = try await StaffDesk.make(
                        restaurants: created, jwtSecret: jwtSecret, baseURL: server.baseURL, database: lookups,
                        client: client, logger: logger)
                    return await ScenarioRunner(
                        settings: settings, context: context, restaurants: created, probe: probe
                    ).run(scenario)
                }
            }
            let machine = MachineShare.between(machineBefore, MachineCPU.read())
            if let fanOut = outcome.fanOut {
                let refused = await server.counterTotal("sufra_websocket_refused_total")
                outcome.fanOut?.serverRefused = refused
                outcome.checks["the server refused the other \(fanOut.sockets - fanOut.admitted) at its limits"] =
                    refused == fanOut.sockets - fanOut.admitted
            }
            if outcome.chaos != nil {
                let buckets = await server.webhookDurationBuckets()
                outcome.chaos?.addServerDurations(buckets)
            }
            let memory = await server.memory
            if scenario == .backpressure {
                outcome.checks["server memory bounded (peak RSS \(memory.peakMB) MB ≤ 150 MB)"] = memory.peakMB <= 150
            }
            let cpu = await server.cpuSeconds
            var verifier = Verifier(
                databaseURL: database.url, inbox: inbox, expectSending: sandbox != nil, logger: logger)
            verifier.senderKills =
                outcome.chaos?.injections.filter { $0.event.fault.killsSender }.map(\.event.wallStartedAt) ?? []
            // A worker killed with sends in flight leaves leases that run out only after 60 s.
            let settle: Duration = [.backpressure, .chaos].contains(scenario) ? .seconds(240) : .seconds(60)
            let verification = try await verifier.verify(outcome.ledgers, settle: settle)
            await server.stop()
            await worker?.stop()
            return ScenarioResult(
                scenario: scenario.rawValue, parameters: parameters(context: context),
                startedAt: Date().ISO8601Format(),
                seconds: outcome.seconds,
                groups: outcome.groups.mapValues { ScenarioResult.Group($0, seconds: outcome.seconds) },
                ramp: outcome.ramp, rampBestPerSecond: outcome.ramp?.last(where: \.passed)?.targetPerSecond,
                server: ScenarioResult.ServerUsage(rssMB: memory.rssMB, peakRSSMB: memory.peakMB, cpuSeconds: cpu),
                verification: verification, checks: outcome.checks, loadAverage: [loadBefore, Self.loadAverage()],
                cores: ProcessInfo.processInfo.activeProcessorCount, machine: machine, chaos: outcome.chaos,
                fanOut: outcome.fanOut, sendRate: outcome.sendRate)
        } catch {
            await server.stop()
            await worker?.stop()
            throw error
        }
    }

    private func parameters(context: LoadContext) -> [String: String] {
        var parameters = [
            "customers": "\(customers)", "restaurants": "\(restaurants)", "duration": "\(duration)",
            "duplicates": "\(context.duplicates)", "replies": replies ? "sandbox" : "database only",
            "ratingEvery": "\(ratingEvery)",
        ]
        switch scenario {
        case .steady, .duplicates, .ratelimit, .backpressure: parameters["thinkMs"] = "\(thinkMs)"
        case .open: parameters["rate"] = "\(rate)"
        case .fanout:
            parameters["rate"] = "\(rate)"
            parameters["sockets"] = "\(sockets)"
        case .ramp: parameters["ramp"] = "\(rampStart)+\(rampStep)…\(rampMax)"
        case .noisy:
            parameters["thinkMs"] = "\(thinkMs)"
            parameters["floodRate"] = "\(rate)"
        case .chaos:
            parameters["thinkMs"] = "\(thinkMs)"
            parameters["fault"] = fault?.rawValue ?? "none"
            parameters["faultAt"] = "\(faultAt)"
            parameters["faultCount"] = "\(faultCount)"
            parameters["faultInterval"] = "\(faultInterval)"
            parameters["hold"] = "\(hold)"
            parameters["ratingEvery"] = "0"
            parameters["senders"] = serveSends ? "serve + worker" : "worker (serve --no-sender)"
        case .sendrate:
            parameters["sendPerMinute"] = Scenario.sendRates.map(String.init).joined(separator: "/")
            parameters["senders"] = sendrateWorker ? "serve + worker" : "serve"
            parameters["ratingEvery"] = "0"
        }
        return parameters
    }

    /// The 1-minute load average.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return String(text.split(separator: " ").first ?? "?")
    }
}

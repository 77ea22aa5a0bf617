import Foundation
import Logging

/// Drives one scenario's customers against the restaurants and gathers the outcome.
struct ScenarioRunner: Sendable {
    /// The knobs.
    var settings: LoadSettings
    /// Shared by every customer.
    var context: LoadContext
    /// The restaurants (in `noisy`, the first one is the flooded one; in `backpressure`, the slowed one).
    var restaurants: [LoadRestaurant]
    /// Watches outbound queues (backpressure).
    var probe: QueueProbe
    /// The fault to inject, when and how often (chaos).
    var chaosPlan: ChaosPlan?

    /// Runs `scenario`.
    func run(_ scenario: Scenario) async -> ScenarioOutcome {
        switch scenario {
        case .steady, .duplicates: await closed()
        case .open: await open()
        case .ramp: await ramp()
        case .ratelimit: await rateLimit()
        case .noisy: await noisy()
        case .backpressure: await backpressure()
        case .chaos: await chaos()
        case .fanout: await fanOut()
        case .sendrate: await sendRate()
        }
    }

    private func customers(
        _ count: Int, group: String, from restaurants: [LoadRestaurant], first: Int = 0
    ) -> [Customer] {
        (0..<count).map { index in
            let phone = "whatsapp:+1\(settings.runTag)\(String(format: "%05d", first + index))"
            return Customer(phone: phone, restaurant: restaurants[index % restaurants.count], group: group)
        }
    }

    private func closed() async -> ScenarioOutcome {
        var pool = CustomerPool(customers: customers(settings.customers, group: "all", from: restaurants))
        let start = ContinuousClock.now
        let think = settings.thinkTime
        await pool.run(until: start + settings.duration, context: context) { _ in .closed(thinkTime: think) }
        return ScenarioOutcome(ledgers: pool.ledgers, groups: context.recorder.drain(), seconds: seconds(since: start))
    }

    private func open() async -> ScenarioOutcome {
        var pool = CustomerPool(customers: customers(settings.customers, group: "all", from: restaurants))
        let start = ContinuousClock.now
        await runOpen(&pool, rate: settings.rate, start: start)
        return ScenarioOutcome(ledgers: pool.ledgers, groups: context.recorder.drain(), seconds: seconds(since: start))
    }

    /// Customer `j` of `C` sends its `k`-th message at `start + (k·C + j)/rate`: together, `rate` per second.
    private func runOpen(_ pool: inout CustomerPool, rate: Int, start: ContinuousClock.Instant) async {
        let count = pool.customers.count
        let interval = Duration.seconds(Double(count) / Double(max(rate, 1)))
        let step = Duration.seconds(1.0 / Double(max(rate, 1)))
        await pool.run(until: start + settings.duration, context: context) { index in
            .open(start: start, offset: step * index, interval: interval)
        }
    }

    private func ramp() async -> ScenarioOutcome {
        var pool = CustomerPool(customers: customers(settings.customers, group: "all", from: restaurants))
        var steps: [ScenarioResult.RampStep] = []
        var total: [String: LoadStats] = [:]
        let begin = ContinuousClock.now
        var rate = settings.rampStart
        while rate <= settings.rampMax {
            let start = ContinuousClock.now
            let machineBefore = MachineCPU.read()
            await runOpen(&pool, rate: rate, start: start)
            let machine = MachineShare.between(machineBefore, MachineCPU.read())
            let stats = context.recorder.drain()["all"] ?? LoadStats()
            total["all", default: LoadStats()].merge(stats)
            let group = ScenarioResult.Group(stats, seconds: seconds(since: start))
            let errors = group.errors.values.reduce(0, +) + group.throttled.values.reduce(0, +)
            let passed =
                group.ack.p99 <= 50 && (group.reply.count == 0 || group.reply.p99 <= 50)
                && errors * 100 <= group.sent && group.acknowledgedPerSecond >= Double(rate) * 0.9
            steps.append(
                ScenarioResult.RampStep(targetPerSecond: rate, group: group, passed: passed, machine: machine))
            print(
                "ramp \(rate)/s: \(group.acknowledgedPerSecond)/s acked, ack p99 \(group.ack.p99) ms, reply p99 \(group.reply.p99) ms"
                    + (machine.map { ", steal \($0.stealPercent) %, idle \($0.idlePercent) %" } ?? ""))
            if !passed { break }
            rate += settings.rampStep
        }
        return ScenarioOutcome(ledgers: pool.ledgers, groups: total, seconds: seconds(since: begin), ramp: steps)
    }

    private func rateLimit() async -> ScenarioOutcome {
        let chatty = customers(10, group: "chatty", from: restaurants)
        let normal = customers(max(settings.customers - 10, 1), group: "normal", from: restaurants, first: 10)
        let start = ContinuousClock.now
        let deadline = start + settings.duration
        let think = settings.thinkTime
        async let chattyPool = runPool(chatty, until: deadline) { _ in .closed(thinkTime: .milliseconds(100)) }
        var normalPool = CustomerPool(customers: normal)
        await normalPool.run(until: deadline, context: context, maximumOrders: 1) { _ in .closed(thinkTime: think) }
        let ledgers = await chattyPool + normalPool.ledgers
        let groups = context.recorder.drain()
        var outcome = ScenarioOutcome(ledgers: ledgers, groups: groups, seconds: seconds(since: start))
        let minutes = outcome.seconds / 60
        // A bucket of 20 per minute allows 20 at once plus what refills during the run.
        let allowance = 20 + Int((20 * minutes).rounded(.up)) + 1
        let chattyLedgers = ledgers.prefix(10)
        outcome.checks["chatty customers throttled (customer bucket)"] =
            (groups["chatty"]?.throttled["customer"] ?? 0) > 0
        outcome.checks["chatty customers accepted ≤ 20/min + refill"] = chattyLedgers.allSatisfy {
            $0.acknowledged <= allowance
        }
        outcome.checks["chatty customers accepted their first 20"] = chattyLedgers.allSatisfy { $0.acknowledged >= 20 }
        outcome.checks["normal customers never throttled"] = (groups["normal"]?.throttled ?? [:]).isEmpty
        return outcome
    }

    private func noisy() async -> ScenarioOutcome {
        let flooded = [restaurants[0]]
        let others = Array(restaurants.dropFirst())
        let noisyCount = max(settings.customers / 5, 10)
        let noisy = customers(noisyCount, group: "noisy", from: flooded)
        var quietPool = CustomerPool(
            customers: customers(
                settings.customers, group: "quiet", from: others.isEmpty ? flooded : others, first: noisyCount))
        let start = ContinuousClock.now
        let deadline = start + settings.duration
        let think = settings.thinkTime
        let interval = Duration.seconds(Double(noisyCount) / Double(max(settings.rate, 1)))
        let step = Duration.seconds(1.0 / Double(max(settings.rate, 1)))
        let context = context
        // A flood does not wait for replies: its customers post at the open rate whatever the bot answers.
        var flooding = context
        flooding.inbox.sandbox = nil
        async let noisyLedgers = runPool(noisy, until: deadline, context: flooding) { index in
            .open(start: start, offset: step * index, interval: interval)
        }
        await quietPool.run(until: deadline, context: context) { _ in .closed(thinkTime: think) }
        let ledgers = await noisyLedgers + quietPool.ledgers
        let groups = context.recorder.drain()
        var outcome = ScenarioOutcome(ledgers: ledgers, groups: groups, seconds: seconds(since: start))
        outcome.checks["quiet restaurants never throttled"] = (groups["quiet"]?.throttled ?? [:]).isEmpty
        outcome.checks["flooded restaurant throttled (restaurant bucket)"] =
            (groups["noisy"]?.throttled["restaurant"] ?? 0) > 0
        return outcome
    }

    /// The slowed restaurant's customers write at `slowedRate` per second in all without waiting for replies
    /// (Twilio takes one per second from it); the others order as in `steady`. Checks that the slowed queue grows
    /// and then drains at its pace, that the other restaurants never wait for a reply in vain, and memory.
    private func backpressure() async -> ScenarioOutcome {
        let slowedRate = 3
        let slowed = customers(10, group: "slowed", from: [restaurants[0]])
        var othersPool = CustomerPool(
            customers: customers(settings.customers, group: "others", from: Array(restaurants.dropFirst()), first: 10))
        let start = ContinuousClock.now
        let deadline = start + settings.duration
        let think = settings.thinkTime
        let interval = Duration.seconds(Double(slowed.count) / Double(slowedRate))
        let step = Duration.seconds(1.0 / Double(slowedRate))
        var unwatched = context
        unwatched.inbox.sandbox = nil
        async let slowedLedgers = runPool(slowed, until: deadline, context: unwatched) { index in
            .open(start: start, offset: step * index, interval: interval)
        }
        async let peak = probe.peakDepth(restaurantId: restaurants[0].id, until: deadline)
        await othersPool.run(until: deadline, context: context) { _ in .closed(thinkTime: think) }
        let ledgers = await slowedLedgers + othersPool.ledgers
        let peakDepth = await peak
        let groups = context.recorder.drain()
        var outcome = ScenarioOutcome(ledgers: ledgers, groups: groups, seconds: seconds(since: start))
        let drained = await probe.secondsUntilEmpty(restaurantId: restaurants[0].id, timeout: .seconds(240))
        print("backpressure: slowed queue peak \(peakDepth), drained \(drained.map { "in \($0) s" } ?? "not in 240 s")")
        outcome.checks["slowed restaurant's queue grew (peak \(peakDepth) ≥ 20)"] = peakDepth >= 20
        outcome.checks["slowed restaurant's queue drained after the load"] = drained != nil
        outcome.checks["other restaurants: every reply arrived in time, no errors"] =
            (groups["others"]?.errors ?? [:]).isEmpty && (groups["others"]?.acknowledged ?? 0) > 0
        return outcome
    }

    /// Steady load while the plan's fault is injected; the timeline (kept by the recorder) gives each injection's
    /// recovery. Customers retry refused messages past the deadline (``RetryPolicy/chaos``): the pool ends when every
    /// message is acknowledged or given up.
    private func chaos() async -> ScenarioOutcome {
        guard let plan = chaosPlan else { return await closed() }
        var pool = CustomerPool(customers: customers(settings.customers, group: "all", from: restaurants))
        let start = context.recorder.timelineSnapshot?.start ?? .now
        let deadline = start + settings.duration
        let think = settings.thinkTime
        async let injected = inject(plan, start: start)
        await pool.run(until: deadline, context: context) { _ in .closed(thinkTime: think) }
        let (events, failures) = await injected
        var outcome = ScenarioOutcome(
            ledgers: pool.ledgers, groups: context.recorder.drain(), seconds: seconds(since: start))
        if let timeline = context.recorder.timelineSnapshot {
            outcome.chaos = ChaosReport(fault: plan.fault, events: events, timeline: timeline)
        }
        outcome.checks["\(plan.fault.rawValue) injected \(events.count) of \(plan.count) times"] =
            events.count == plan.count
        for failure in failures { print("chaos: \(failure)") }
        return outcome
    }

    /// Injects the plan's fault `count` times, `interval` apart from `start + firstAt`; returns the events and the
    /// injections that failed.
    private func inject(_ plan: ChaosPlan, start: ContinuousClock.Instant) async -> ([ChaosEvent], [String]) {
        var events: [ChaosEvent] = []
        var failures: [String] = []
        for index in 0..<plan.count {
            try? await Task.sleep(until: start + plan.firstAt + plan.interval * index, clock: .continuous)
            do {
                let event = try await plan.injector.inject(plan.fault, start: start)
                print(
                    "chaos: \(plan.fault.rawValue) at \(String(format: "%.1f", event.startedAt)) s, over at "
                        + "\(String(format: "%.1f", event.endedAt)) s")
                events.append(event)
            } catch {
                failures.append("\(plan.fault.rawValue) #\(index + 1) failed: \(error)")
            }
        }
        return (events, failures)
    }

    /// `sockets` dashboards (``DashboardSockets``) open before the load and through it, while the customers write
    /// at the open rate; then checks that every dashboard heard every acknowledged message of its restaurant, and
    /// nothing of another's, and how soon (DESIGN.md's target: p99 ≤ 100 ms).
    private func fanOut() async -> ScenarioOutcome {
        guard let staff = context.staff else {
            var outcome = ScenarioOutcome(ledgers: [], groups: [:], seconds: 0)
            outcome.checks["staff tokens for the dashboards"] = false
            return outcome
        }
        let recorder = FanOutRecorder(sockets: settings.sockets, restaurantIds: restaurants.map(\.id))
        var logger = Logger(label: "dashboards")
        logger.logLevel = .critical
        let dashboards = DashboardSockets(
            baseURL: "ws" + staff.baseURL.dropFirst("http".count),
            tokens: restaurants.map { staff.tokens[$0.id] ?? "" },
            count: settings.sockets, recorder: recorder, logger: logger)
        let admitted = DashboardLimits().admitted(sockets: settings.sockets, restaurants: restaurants.count)
        let (run, connectSeconds) = await dashboards.whileOpen { [self] in
            let warmUp = await warmUp(recorder, admitted: admitted)
            recorder.startMeasuring()
            var pool = CustomerPool(customers: customers(settings.customers, group: "all", from: restaurants))
            let start = ContinuousClock.now
            await runOpen(&pool, rate: settings.rate, start: start)
            let seconds = seconds(since: start)
            let acknowledged = acknowledgedByRestaurant(pool.ledgers)
            // Events are published after the 200: wait (up to 10 s) until every delivery owed has arrived.
            let owed = recorder.expectedDeliveries(acknowledged: acknowledged)
            let deadline = ContinuousClock.now + .seconds(10)
            while recorder.deliveries < owed, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            return (ledgers: warmUp + pool.ledgers, acknowledged: acknowledged, seconds: seconds)
        }
        let report = recorder.report(
            connectSeconds: connectSeconds, acknowledged: run.acknowledged, admitted: admitted)
        var outcome = ScenarioOutcome(ledgers: run.ledgers, groups: context.recorder.drain(), seconds: run.seconds)
        outcome.fanOut = report
        outcome.checks["all \(report.sockets) dashboards upgraded"] = report.connected == report.sockets
        outcome.checks["\(admitted) of \(report.sockets) dashboards taken, as the limits allow"] =
            report.attached == admitted
        outcome.checks["every dashboard heard every acknowledged message of its restaurant"] =
            report.deliveries == report.expectedDeliveries && report.socketsMissingEvents == 0
            && report.events == report.acknowledged && report.acknowledged > 0
        outcome.checks["no dashboard heard another restaurant's events"] = report.foreignFrames == 0
        outcome.checks["fan-out p99 ≤ 100 ms (\(report.latency.p99) ms)"] = report.latency.p99 <= 100
        return outcome
    }

    /// Each restaurant's four customers write at twice its send rate (open model, replies not awaited; each message
    /// gets one reply), so its outbound queue holds a growing backlog once the bucket's ten seconds' burst is spent;
    /// after a 20 s warm-up the replies' arrival times at the sandbox give each restaurant's rate until the load ends
    /// (a queue that ran dry would send at the inbound rate and show it: the backlog at the end is checked too).
    /// Then the queues drain, for the verification.
    private func sendRate() async -> ScenarioOutcome {
        let customersEach = 4
        let warmUp = 20.0
        guard let sandbox = context.inbox.sandbox else {
            var outcome = ScenarioOutcome(ledgers: [], groups: [:], seconds: 0)
            outcome.checks["the sandbox records the replies"] = false
            return outcome
        }
        var quiet = context
        quiet.inbox.sandbox = nil
        quiet.ratingEvery = 0
        let unwatched = quiet
        let start = ContinuousClock.now
        let startedAt = Date().timeIntervalSince1970
        let deadline = start + settings.duration
        let count = restaurants.count
        let ledgers = await withTaskGroup(of: [CustomerLedger].self) { group in
            for (index, restaurant) in restaurants.enumerated() {
                let step = Duration.seconds(60 / (Double(restaurant.sendPerMinute) * 2))
                let phase = step * (Double(index) / Double(count))
                let pool = customers(customersEach, group: "all", from: [restaurant], first: index * customersEach)
                group.addTask { [self] in
                    await runPool(pool, until: deadline, context: unwatched) { customer in
                        .open(start: start, offset: phase + step * customer, interval: step * customersEach)
                    }
                }
            }
            var all: [CustomerLedger] = []
            for await ledgers in group { all += ledgers }
            return all
        }
        let endedAt = Date().timeIntervalSince1970
        let seconds = seconds(since: start)
        let backlog = await probe.depths() ?? [:]
        let window = (startedAt + warmUp)...endedAt
        var arrivals: [String: [Double]] = [:]
        let restaurantOf = Dictionary(uniqueKeysWithValues: restaurants.map { ($0.number, $0.id) })
        for message in sandbox.messages() where window.contains(message.acceptedAt) {
            if let id = restaurantOf[message.from] { arrivals[id, default: []].append(message.acceptedAt) }
        }
        let report = SendRateReport(
            arrivals: arrivals,
            sendPerMinute: Dictionary(uniqueKeysWithValues: restaurants.map { ($0.id, $0.sendPerMinute) }),
            backlog: backlog, windowSeconds: endedAt - window.lowerBound)
        let drained = await probe.secondsUntilAllEmpty(timeout: .seconds(300))
        print("sendrate: queues drained \(drained.map { "in \($0) s" } ?? "not in 300 s") after the load")
        var outcome = ScenarioOutcome(ledgers: ledgers, groups: context.recorder.drain(), seconds: seconds)
        outcome.sendRate = report
        outcome.checks["every restaurant's queue held a backlog through the window"] =
            report.restaurants.allSatisfy { $0.backlogAtEnd > 0 }
        let worst = (report.worstDeviationPercent * 100).rounded() / 100
        outcome.checks["every restaurant's send rate within ±2 % (worst \(worst) %)"] = worst <= 2
        outcome.checks["the queues drained after the load"] = drained != nil
        return outcome
    }

    /// One message per restaurant from a customer of its own, then a wait (up to 30 s) until the `admitted`
    /// dashboards heard a frame: a restaurant's subscription is live only then (pub/sub keeps nothing for a
    /// subscriber that is not there yet). Returns the warm-up customers' ledgers, for the verification.
    private func warmUp(_ recorder: FanOutRecorder, admitted: Int) async -> [CustomerLedger] {
        var ledgers: [CustomerLedger] = []
        for (index, restaurant) in restaurants.enumerated() {
            var ledger = CustomerLedger(phone: "whatsapp:+2\(settings.runTag)\(index)", restaurantId: restaurant.id)
            let sid = WebhookSender.makeSid()
            if await context.sender.send("hello", from: ledger.phone, to: restaurant, sid: sid) == .acknowledged {
                ledger.acknowledged = 1
                ledger.acknowledgedSids = [sid]
            } else {
                ledger.uncertain = 1
                ledger.uncertainSids = [sid]
            }
            ledgers.append(ledger)
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while recorder.attached < admitted, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return ledgers
    }

    /// Messages answered 200 per restaurant, in `restaurants`' order.
    private func acknowledgedByRestaurant(_ ledgers: [CustomerLedger]) -> [Int] {
        let index = Dictionary(uniqueKeysWithValues: restaurants.enumerated().map { ($1.id, $0) })
        var counts = Array(repeating: 0, count: restaurants.count)
        for ledger in ledgers {
            if let restaurant = index[ledger.restaurantId] { counts[restaurant] += ledger.acknowledged }
        }
        return counts
    }

    /// Runs `customers` as a pool and returns their ledgers (for pools running beside another).
    private func runPool(
        _ customers: [Customer], until deadline: ContinuousClock.Instant, context: LoadContext? = nil,
        pacing: @Sendable (Int) -> Pacing
    ) async -> [CustomerLedger] {
        var pool = CustomerPool(customers: customers)
        await pool.run(until: deadline, context: context ?? self.context, pacing: pacing)
        return pool.ledgers
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

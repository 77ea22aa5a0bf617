import Logging
import Runtime
import Testing

@testable import Actors

/// The restaurant's bounded outbound channel and the send loop taking born-claimed jobs from it.
@Suite(.timeLimit(.minutes(2))) struct OutboundChannelTests {
    static func entry(_ id: String, conversation: String, lease: Duration = .seconds(60)) -> OutboundChannel.Entry {
        OutboundChannel.Entry(
            job: OutboundJob(
                id: id, restaurantId: "r", conversationId: conversation, customer: "whatsapp:+1", body: id,
                contentSid: nil, contentVariables: nil, attempts: 0, windowOpen: true),
            leaseDeadline: .now + lease)
    }

    @Test func reservationsNeverExceedTheCapacityAndUnusedRoomComesBack() {
        let channel = OutboundChannel(capacity: 4, delivered: WakeSignal())
        #expect(channel.reserve(3))
        #expect(!channel.reserve(2), "3 reserved + 2 > 4")
        channel.deliver([Self.entry("a", conversation: "c")], reserved: 3)
        #expect(channel.count == 1)
        #expect(channel.reserve(3), "the two unused reserved slots came back")
        #expect(!channel.reserve(1))
        channel.release(3)
        #expect(channel.reserve(3))
        #expect(!channel.closeIfIdle(), "a reservation is pending: the loop may not retire")
        channel.release(3)
        _ = channel.take(limit: 10, busy: [])
        #expect(channel.closeIfIdle())
        #expect(!channel.reserve(1), "a closed channel takes nothing: the replies are queued")
    }

    @Test func takeKeepsEachConversationsOrderAndSkipsBusyConversations() {
        let channel = OutboundChannel(capacity: 10, delivered: WakeSignal())
        #expect(channel.reserve(5))
        channel.deliver(
            [
                Self.entry("a1", conversation: "a"), Self.entry("b1", conversation: "b"),
                Self.entry("a2", conversation: "a"), Self.entry("c1", conversation: "c"),
                Self.entry("b2", conversation: "b"),
            ], reserved: 5)
        let groups = channel.take(limit: 10, busy: ["b"])
        #expect(groups.map { $0.map(\.job.id) } == [["a1", "a2"], ["c1"]])
        #expect(channel.take(limit: 1, busy: []).map { $0.map(\.job.id) } == [["b1"]])
        #expect(channel.take(limit: 10, busy: []).map { $0.map(\.job.id) } == [["b2"]])
    }

    static func sender(queue: MemoryQueue, provider: RecordingProvider) -> TenantSender {
        let directory = TenantDirectory()
        directory.upsert(
            TenantConfig(
                id: "r", name: "r", whatsappFrom: "whatsapp:+2", accountSid: "AC", authToken: "t",
                sendPerMinute: 60_000))
        var settings = TenantSender.Settings()
        settings.pollInterval = .seconds(30)
        settings.idleTimeout = .milliseconds(200)
        return TenantSender(
            restaurantId: "r", settings: settings,
            dependencies: .init(
                queue: queue, sender: provider, directory: directory, events: NoEvents(), now: { "" },
                logger: Logger(label: "test")))
    }

    /// Handed-over jobs are sent and recorded with no claim query beyond the one look a new loop takes, one
    /// conversation's replies one after another in order.
    @Test func bornClaimedJobsAreSentWithoutClaimingAndInOrderPerConversation() async throws {
        let queue = MemoryQueue([])
        let provider = RecordingProvider(latency: .milliseconds(20))
        let sender = Self.sender(queue: queue, provider: provider)
        let entries = (1...3).flatMap { index in
            ["x", "y"].map { Self.entry("\($0)\(index)", conversation: $0) }
        }
        #expect(sender.channel.reserve(entries.count))
        sender.channel.deliver(entries, reserved: entries.count)
        await sender.run(retire: { sender.channel.closeIfIdle() })
        #expect(queue.decisions.count == 6)
        #expect(queue.state.withLock { $0.claims } == 1, "only the new loop's first look at the queue")
        let sent = provider.state.withLock { $0.sent }
        #expect(sent.filter { $0.hasPrefix("x") } == ["x1", "x2", "x3"])
        #expect(sent.filter { $0.hasPrefix("y") } == ["y1", "y2", "y3"])
        #expect(provider.state.withLock { $0.maximumInFlight } == 2, "two conversations at once, each in order")
    }

    /// A job whose lease would end before its send could be recorded goes back to the queue untried.
    @Test func aJobWithTooLittleLeaseLeftIsGivenBackNotSent() async throws {
        let queue = MemoryQueue([])
        let provider = RecordingProvider()
        let sender = Self.sender(queue: queue, provider: provider)
        #expect(sender.channel.reserve(2))
        sender.channel.deliver(
            [Self.entry("late", conversation: "c", lease: .seconds(1)), Self.entry("next", conversation: "c")],
            reserved: 2)
        await sender.run(retire: { sender.channel.closeIfIdle() })
        #expect(provider.state.withLock { $0.sent }.isEmpty)
        #expect(queue.state.withLock { $0.released } == ["late", "next"], "the rest of the conversation waits too")
    }
}

extension OutboundChannelTests {
    /// A restaurant sending 60 a minute with a 60 s lease (20 s kept back) holds 20 jobs, not the capacity of 256.
    @Test func aSlowRestaurantsChannelHoldsWhatItsRateSendsWithinALease() {
        let sender = Self.sender(queue: MemoryQueue([]), provider: RecordingProvider())
        #expect(sender.channelLimit(sendPerMinute: 60) == 20)
        sender.channel.limit(to: sender.channelLimit(sendPerMinute: 60))
        #expect(sender.channel.reserve(20))
        #expect(!sender.channel.reserve(1))
    }
}

import Synchronization
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct OutboundNotifierTests {
    @Test(.timeLimit(.minutes(1))) func wakesTheLocalSenderAtOnceAndNotifiesOtherProcessesAfterwards() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let woken = Mutex<[String]>([])
                let notifier = OutboundNotifier(
                    client: client, localWake: { id in woken.withLock { $0.append(id) } },
                    logger: .init(label: "test"))
                let listener = PGListener(configuration: configuration, channels: [OutboundQueue.channel])
                var events = listener.makeAsyncIterator()
                #expect(try await events.next() == .listening)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await notifier.run() }
                    for id in ["r1", "r2", "r1"] { notifier.queued(restaurantId: id) }
                    #expect(woken.withLock { $0 } == ["r1", "r2", "r1"], "the local sender is woken synchronously")
                    var announced: Set<String> = []
                    while announced.count < 2 {
                        guard case .notification(let note) = try await events.next() else { continue }
                        #expect(note.channel == OutboundQueue.channel)
                        announced.insert(note.payload)
                    }
                    #expect(announced == ["r1", "r2"])
                    group.cancelAll()
                }
            }
        }
    }
}

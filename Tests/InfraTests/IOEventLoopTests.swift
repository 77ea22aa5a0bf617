import Glibc
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct IOEventLoopTests {
    @Test func executeRunsOnTheLoopThread() async {
        let loop = IOEventLoop(name: "test-loop")
        let onLoop = await withCheckedContinuation { continuation in
            loop.execute { continuation.resume(returning: loop.inEventLoop) }
        }
        #expect(onLoop)
        #expect(!loop.inEventLoop)
        await loop.stop()
    }

    @Test func actorOnTheLoopRunsThere() async {
        let probe = LoopProbe(loop: IOEventLoop(name: "test-actor"))
        #expect(await probe.isOnLoop())
        await probe.loop.stop()
    }

    @Test func watcherSeesReadablePipe() async throws {
        let loop = IOEventLoop(name: "test-watch")
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readFD, writeFD) = (fds[0], fds[1])
        defer {
            close(readFD)
            close(writeFD)
        }
        let byte: UInt8 = await withCheckedContinuation { continuation in
            loop.execute {
                var id: IOEventLoop.WatchID?
                id = try? loop.watch(fd: readFD, interest: .readable) { readiness in
                    var value: UInt8 = 0
                    _ = read(readFD, &value, 1)
                    if let id { loop.unwatch(id) }
                    continuation.resume(returning: value)
                }
                var out: UInt8 = 42
                _ = write(writeFD, &out, 1)
            }
        }
        #expect(byte == 42)
        await loop.stop()
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesDoNot() async {
        let loop = IOEventLoop(name: "test-timers")
        let order: [Int] = await withCheckedContinuation { continuation in
            loop.execute {
                var fired: [Int] = []
                let cancelled = loop.schedule(after: .milliseconds(5)) { fired.append(99) }
                loop.schedule(after: .milliseconds(20)) {
                    fired.append(2)
                    continuation.resume(returning: fired)
                }
                loop.schedule(after: .milliseconds(1)) { fired.append(1) }
                loop.cancel(cancelled)
            }
        }
        #expect(order == [1, 2])
        await loop.stop()
    }

    @Test func stopRunsTheSubmittedWorkThenJoinsTheThreadAndReleasesTheLoop() async {
        weak var released: IOEventLoop?
        let ran = Mutex(0)
        do {
            let loop = IOEventLoop(name: "test-stop")
            released = loop
            for _ in 0..<100 { loop.execute { ran.withLock { $0 += 1 } } }
            await loop.stop()
            await loop.stop()  // again: returns at once
            #expect(!loop.inEventLoop)
        }
        #expect(ran.withLock { $0 } == 100)
        // The thread held the loop while it ran: once joined, nothing does.
        #expect(released == nil)
    }

    @Test func aLoopStopsOnGracefulShutdown() async throws {
        let loop = IOEventLoop(name: "test-service")
        let group = ServiceGroup(services: [loop], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let onLoop = await withCheckedContinuation { continuation in
                loop.execute { continuation.resume(returning: loop.inEventLoop) }
            }
            #expect(onLoop)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(loop.submissions.withLock { $0.exited })
    }
}

private actor LoopProbe {
    let loop: IOEventLoop
    init(loop: IOEventLoop) { self.loop = loop }
    nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }
    func isOnLoop() -> Bool { loop.inEventLoop }
}

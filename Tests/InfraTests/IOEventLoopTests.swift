import Glibc
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
    }

    @Test func actorOnTheLoopRunsThere() async {
        let probe = LoopProbe(loop: IOEventLoop(name: "test-actor"))
        #expect(await probe.isOnLoop())
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
    }
}

private actor LoopProbe {
    let loop: IOEventLoop
    init(loop: IOEventLoop) { self.loop = loop }
    nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }
    func isOnLoop() -> Bool { loop.inEventLoop }
}

import Runtime
import Testing

@Suite(.timeLimit(.minutes(3))) struct WakeSignalTests {
    @Test func aSignalBeforeTheWaitIsRemembered() async {
        let wake = WakeSignal()
        wake.signal()
        wake.signal()
        #expect(wake.isPending)
        await wake.wait()
        #expect(!wake.isPending)
    }

    @Test func aSignalWakesAWaiter() async {
        enum Finished { case woken, signaller, deadline }
        let wake = WakeSignal()
        let first = await withTaskGroup(of: Finished.self) { group in
            group.addTask {
                await wake.wait()
                return .woken
            }
            group.addTask {
                // Signal until the waiter has consumed one (it may not be waiting yet).
                while !Task.isCancelled {
                    wake.signal()
                    await Task.yield()
                }
                return .signaller
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return .deadline
            }
            let first = await group.next()
            group.cancelAll()
            return first
        }
        #expect(first == .woken)
    }

    @Test func waitWithTimeoutReturnsWithoutASignal() async {
        let wake = WakeSignal()
        let started = ContinuousClock.now
        await wake.wait(timeout: .milliseconds(50))
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        #expect(!wake.isPending)
    }
}

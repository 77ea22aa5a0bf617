import Testing

@testable import Actors

@Suite(.timeLimit(.minutes(3))) struct ActorsSmokeTests {
    @Test func moduleLoads() {
        #expect(String(describing: Actors.self).isEmpty == false)
    }
}

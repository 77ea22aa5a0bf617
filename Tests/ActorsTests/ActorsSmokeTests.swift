import Testing

@testable import Actors

@Suite struct ActorsSmokeTests {
    @Test func moduleLoads() {
        #expect(String(describing: Actors.self).isEmpty == false)
    }
}

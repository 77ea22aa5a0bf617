import Testing

@testable import Server

@Suite struct ServerSmokeTests {
    @Test func moduleLoads() {
        #expect(String(describing: SufraServer.self).isEmpty == false)
    }
}

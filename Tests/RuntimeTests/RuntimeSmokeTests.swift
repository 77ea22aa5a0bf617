import Testing

@testable import Runtime

@Suite struct RuntimeSmokeTests {
    @Test func moduleLoads() {
        #expect(String(describing: Runtime.self).isEmpty == false)
    }
}

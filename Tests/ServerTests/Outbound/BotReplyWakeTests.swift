import Foundation
import HummingbirdTesting
import Infra
import SufraDev
import SufraTestSupport
import Testing

@testable import Server

/// A reply committed with its webhook's batch wakes the local sender at once: it does not wait for the sender's
/// poll (10 s here, twice the test's deadline, so only the wake-up can deliver it in time).
@Suite(.serialized, .timeLimit(.minutes(3))) struct BotReplyWakeTests {
    @Test func aReplyCommittedWithItsWebhookIsSentWithoutWaitingForThePoll() async throws {
        var options = OutboundHarness.options()
        options.outbound.pollInterval = .seconds(10)
        options.outbound.sender.pollInterval = .seconds(10)
        try await OutboundHarness.run(options: options) { _, client, _, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            let customer = "whatsapp:+966550000001"
            #expect(try await client.sendWebhook(to: restaurant, from: customer, body: "hello").status == .ok)
            try await eventually(timeout: .seconds(5), "the welcome reached Twilio") {
                !sandbox.messages(to: customer).isEmpty
            }
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSTesting
import Infra
import NIOCore
import NIOWebSocket
import SufraTestSupport
import Synchronization
import Testing

@testable import Server

@Suite(.serialized, .timeLimit(.minutes(3))) struct LiveEventsTests {
    @Test func handshakeWithABadTokenAnswers401() async throws {
        try await SufraTestApp.run { _, client, _ in
            let restaurant = try await client.createRestaurant()
            let expired = try await StaffAuth.token(restaurant.id, exp: -120)
            let port = try #require(client.port)
            for uri in ["/ws?token=\(expired)", "/ws?token=garbage", "/ws"] {
                let status = try await RawHandshake.status(port: port, path: uri)
                #expect(status == 401, "\(uri)")
            }
            let valid = try await StaffAuth.token(restaurant.id)
            #expect(try await RawHandshake.status(port: port, path: "/ws?token=\(valid)") == 101)
        }
    }

    @Test func socketClosesWhenItsTokenExpires() async throws {
        try await SufraTestApp.run { _, client, sufra in
            let restaurant = try await client.createRestaurant()
            let token = try await StaffAuth.token(restaurant.id, exp: 3)
            let clock = ContinuousClock()
            let opened = clock.now
            let close = try await client.ws("/ws?token=\(token)") { inbound, _, _ in
                // The server ends the socket; without the expiry this loop would wait for events forever.
                for try await _ in inbound.messages(maxSize: 1 << 16) {}
            }
            let lasted = clock.now - opened
            #expect(lasted >= .seconds(1))
            #expect(lasted < .seconds(15))
            // Closed by the hub's expiry sweep, saying why (the page asks for a fresh token on this code).
            #expect(close?.closeCode == .policyViolation)
            #expect(close?.reason == "token expired")
            try await eventually("socket detached") { sufra.liveHub.socketCount == 0 }
        }
    }

    @Test func socketsPastTheLimitsAreClosedWith1013AndARestaurantGetsRoomBackWhenOneLeaves() async throws {
        let limits = ["DASHBOARD_SOCKETS_PER_RESTAURANT": "2", "DASHBOARD_SOCKETS_MAX": "3"]
        try await SufraTestApp.run(overrides: limits) { _, client, sufra in
            let a = try await StaffAuth.token(try await client.createRestaurant(name: "A").id)
            let b = try await StaffAuth.token(try await client.createRestaurant(name: "B").id)
            let c = try await StaffAuth.token(try await client.createRestaurant(name: "C").id)
            let hub = sufra.liveHub
            let port = try #require(client.port)
            /// Opens a socket and reads the close frame the server sends at once: what a refused dashboard sees.
            @Sendable func refusal(_ token: String) async throws -> (code: UInt16, reason: String) {
                try await RawHandshake.closeFrame(port: port, path: "/ws?token=\(token)")
            }
            try await client.ws("/ws?token=\(a)") { _, _, _ in
                try await eventually("first of A attached") { hub.socketCount == 1 }
                try await client.ws("/ws?token=\(a)") { _, _, _ in
                    try await eventually("second of A attached") { hub.socketCount == 2 }
                    let third = try await refusal(a)
                    #expect(third.code == 1013)
                    #expect(third.reason == "too many dashboards for this restaurant")
                    // Another restaurant still gets in, until the process is full.
                    try await client.ws("/ws?token=\(b)") { _, _, _ in
                        try await eventually("B attached") { hub.socketCount == 3 }
                        let full = try await refusal(c)
                        #expect(full.code == 1013)
                        #expect(full.reason == "server full")
                    }
                }
                // The second of A left: A has room again.
                try await eventually("B and the second of A detached") { hub.socketCount == 1 }
                try await client.ws("/ws?token=\(a)") { _, _, _ in
                    try await eventually("A's new socket attached") { hub.socketCount == 2 }
                }
            }
            let metrics = try PrometheusText(sufra.metrics.render())
            #expect(metrics.value(LiveEventHub.refusedMetric, ["reason": "restaurant_full"]) == 1)
            #expect(metrics.value(LiveEventHub.refusedMetric, ["reason": "server_full"]) == 1)
            #expect(hub.refusedCount == 2)
        }
    }

    @Test func socketOfOneRestaurantGetsItsEventsWithinASecondAndNeverAnothers() async throws {
        try await SufraTestApp.run { _, client, sufra in
            let a = try await client.createRestaurant(name: "A")
            let b = try await client.createRestaurant(name: "B")
            let token = try await StaffAuth.token(a.id)
            let frames = FrameLog()
            try await client.ws("/ws?token=\(token)") { inbound, _, _ in
                try await eventually("hub subscribed for A") { sufra.liveHub.isSubscribed(restaurantId: a.id) }
                let connected = try PrometheusText(sufra.metrics.render())
                #expect(connected.value("sufra_websocket_connections") == 1)
                #expect(connected.value("sufra_websocket_subscriptions") == 1)
                try await client.sendWebhook(to: b, from: "whatsapp:+966544444441", body: "from B")
                frames.markSent()
                try await client.sendWebhook(to: a, from: "whatsapp:+966544444442", body: "from A")
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    guard case .text(let text) = message,
                        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                    else { continue }
                    frames.append(text)
                    if object["type"] as? String == "message.received" { break }
                }
            }
            let received = try frames.frames.map { frame in
                (
                    at: frame.at,
                    json: try JSONSerialization.jsonObject(with: Data(frame.text.utf8)) as? [String: Any] ?? [:]
                )
            }
            let start = try #require(frames.sentAt)
            let first = try #require(received.last)
            #expect(first.json["type"] as? String == "message.received")
            #expect(first.json["restaurantId"] as? String == a.id)
            #expect((first.json["data"] as? [String: Any])?["body"] as? String == "from A")
            #expect(first.at - start < .seconds(1))
            #expect(received.allSatisfy { $0.json["restaurantId"] as? String == a.id })
            try await eventually("socket detached") { sufra.liveHub.socketCount == 0 }
            #expect(sufra.liveHub.subscriptionCount == 0)
            let detached = try PrometheusText(sufra.metrics.render())
            #expect(detached.value("sufra_websocket_connections") == 0)
            #expect(detached.value("sufra_websocket_subscriptions") == 0)
        }
    }
}

/// Frames a test socket received, with their arrival times.
final class FrameLog: Sendable {
    private struct State {
        var frames: [(at: ContinuousClock.Instant, text: String)] = []
        var sentAt: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    var frames: [(at: ContinuousClock.Instant, text: String)] { state.withLock { $0.frames } }
    var sentAt: ContinuousClock.Instant? { state.withLock { $0.sentAt } }

    func markSent() { state.withLock { $0.sentAt = .now } }
    func append(_ text: String) { state.withLock { $0.frames.append((.now, text)) } }
}

import Testing

@testable import Server

@Suite(.timeLimit(.minutes(3))) struct SufraConfigurationTests {
    @Test func defaultsFollowTheContract() throws {
        let configuration = try SufraConfiguration(environment: [:])
        #expect(configuration.rateGlobalPerMinute == 200)
        #expect(configuration.rateCustomerPerMinute == 20)
        #expect(configuration.conversationIdleSeconds == 30)
        #expect(configuration.port == 8080)
    }

    @Test func conversationIdleSecondsIsReadAndValidated() throws {
        #expect(
            try SufraConfiguration(environment: ["CONVERSATION_IDLE_SECONDS": " 90 "]).conversationIdleSeconds == 90)
        for bad in ["0", "-5", "soon"] {
            #expect(throws: ConfigurationError.self) {
                try SufraConfiguration(environment: ["CONVERSATION_IDLE_SECONDS": bad])
            }
        }
        do {
            _ = try SufraConfiguration(environment: ["CONVERSATION_IDLE_SECONDS": "soon"])
        } catch {
            #expect(error.description == "CONVERSATION_IDLE_SECONDS must be a positive integer (got 'soon')")
        }
    }

    @Test func instanceNameIsOptionalAndValidated() throws {
        #expect(try SufraConfiguration(environment: [:]).instanceName == nil, "no new required setting")
        #expect(
            try SufraConfiguration(environment: ["SUFRA_INSTANCE": " eu-1.worker-2 "]).instanceName == "eu-1.worker-2")
        for bad in ["a/b", "two words", String(repeating: "x", count: 101)] {
            #expect(throws: ConfigurationError.self) { try SufraConfiguration(environment: ["SUFRA_INSTANCE": bad]) }
        }
    }

    @Test func ingestFlushersDefaultsToTwoAndIsBounded() throws {
        #expect(try SufraConfiguration(environment: [:]).ingestFlushers == 2)
        #expect(try SufraConfiguration(environment: ["INGEST_FLUSHERS": "8"]).ingestFlushers == 8)
        for bad in ["0", "17", "many"] {
            #expect(throws: ConfigurationError.self) { try SufraConfiguration(environment: ["INGEST_FLUSHERS": bad]) }
        }
    }

    @Test func ingestGatherWindowDefaultsToTenMillisecondsAndIsBounded() throws {
        #expect(try SufraConfiguration(environment: [:]).ingestGatherMilliseconds == 10)
        #expect(try SufraConfiguration(environment: ["INGEST_GATHER_MS": "25"]).ingestGatherMilliseconds == 25)
        #expect(try SufraConfiguration(environment: ["INGEST_GATHER_MS": "0"]).ingestGatherMilliseconds == 0)
        for bad in ["-1", "51", "soon"] {
            #expect(throws: ConfigurationError.self) { try SufraConfiguration(environment: ["INGEST_GATHER_MS": bad]) }
        }
    }

    @Test func dashboardSocketLimitsDefaultTo100PerRestaurantAnd10000InAll() throws {
        let defaults = try SufraConfiguration(environment: [:]).dashboardSockets
        #expect(defaults == LiveSocketLimits(perRestaurant: 100, total: 10_000))
        let set = try SufraConfiguration(environment: [
            "DASHBOARD_SOCKETS_PER_RESTAURANT": "5", "DASHBOARD_SOCKETS_MAX": "50",
        ])
        #expect(set.dashboardSockets == LiveSocketLimits(perRestaurant: 5, total: 50))
        for key in ["DASHBOARD_SOCKETS_PER_RESTAURANT", "DASHBOARD_SOCKETS_MAX"] {
            for bad in ["0", "-3", "lots"] {
                #expect(throws: ConfigurationError.self) { try SufraConfiguration(environment: [key: bad]) }
            }
        }
    }
}

import Foundation
import Infra
import Logging
import Server

/// `sufra chat`: talk to a restaurant's bot from the terminal as a customer would. Each line goes to the
/// server as a webhook signed with the restaurant's token; the bot's replies are read back from the Twilio
/// sandbox (`sufra dev` mounts it) as they arrive there.
public struct ChatSession: Sendable {
    /// The server's base URL (webhooks and the sandbox).
    public var server: String
    /// The URL Twilio signs against (`PUBLIC_URL`, else the server).
    public var publicURL: String
    /// The customer we play.
    public var customer: String
    /// How long to wait for replies after each line.
    public var replyWait: Duration = .seconds(3)

    private let restaurant: RestaurantRepository.Credentialed
    private let authToken: String
    private let http = CurlClient()

    /// Loads the restaurant and its token (needs `DATABASE_URL` and `MASTER_KEY`). Webhooks are signed for
    /// `publicURL` (the server's `PUBLIC_URL`), or for `server` itself when nil.
    public static func connect(
        configuration: SufraConfiguration, restaurantId: String, server: String, publicURL: String?, customer: String,
        logger: Logger
    ) async throws -> ChatSession {
        guard let databaseURL = configuration.databaseURL else { throw ConfigurationError.missing("DATABASE_URL") }
        let secrets = try configuration.secretBox()
        let found = try await withPostgres(url: databaseURL, logger: logger) { client in
            try await RestaurantRepository(client: client).credentialed(id: restaurantId.lowercased())
        }
        guard let found else { throw CommandError("no restaurant with id \(restaurantId)") }
        let token = try secrets.open(found.encryptedAuthToken, associatedData: found.record.id)
        return ChatSession(
            server: server, publicURL: publicURL ?? server, customer: customer, restaurant: found,
            authToken: token)
    }

    private init(
        server: String, publicURL: String, customer: String, restaurant: RestaurantRepository.Credentialed,
        authToken: String
    ) {
        self.server = server
        self.publicURL = publicURL
        self.customer = customer
        self.restaurant = restaurant
        self.authToken = authToken
    }

    /// Reads lines from standard input until EOF; prints the bot's replies.
    public func run() async throws {
        print("chatting with \(restaurant.record.name) as \(customer) — type a message, Ctrl-D to quit")
        var seen = try await sandboxMessages().count
        while let line = readLine(strippingNewline: true) {
            let status = try await send(line)
            guard status == 200 else {
                print("! webhook answered \(status)")
                continue
            }
            let deadline = ContinuousClock.now + replyWait
            var printedAny = false
            while ContinuousClock.now < deadline {
                let messages = try await sandboxMessages()
                for message in messages.dropFirst(seen) {
                    print("bot> " + (message.body ?? "[template \(message.contentSid ?? "?")]"))
                    printedAny = true
                }
                seen = max(seen, messages.count)
                if printedAny { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            if !printedAny { print("… no reply yet (is the sender running, the restaurant paused?)") }
        }
    }

    /// Posts one signed webhook; returns the HTTP status.
    func send(_ text: String) async throws -> Int {
        let parameters: [(name: String, value: String)] = [
            ("MessageSid", "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()),
            ("AccountSid", restaurant.record.twilioAccountSid), ("From", customer),
            ("To", restaurant.record.whatsappFrom), ("Body", text), ("NumMedia", "0"), ("ProfileName", "terminal"),
        ]
        let signature = TwilioSignature.compute(
            authToken: authToken, url: publicURL + "/whatsapp/webhook", parameters: parameters)
        let response = try await http.execute(
            CurlClientRequest(
                method: "POST", url: server + "/whatsapp/webhook",
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)],
                body: Array(FormURLEncoding.encode(parameters).utf8)))
        return response.status
    }

    private func sandboxMessages() async throws -> [SandboxMessage] {
        let response = try await http.execute(
            CurlClientRequest(
                method: "GET", url: server + "/sandbox/messages?to=" + FormURLEncoding.escape(customer)))
        guard response.status == 200 else {
            throw CommandError("the server at \(server) has no Twilio sandbox (run `sufra dev`)")
        }
        return try JSONDecoder().decode([SandboxMessage].self, from: Data(response.body))
    }
}

import Foundation
import Infra
import Logging
import Server

/// `sufra dev`: everything for a first try on one machine. Local PostgreSQL and Redis from `scripts/services`
/// when none are configured, development secrets kept in `.data/dev.env`, migrations, a demo restaurant with
/// a menu, and the server with the sender and a Twilio sandbox mounted on the same port.
public enum DevEnvironment {
    /// The demo restaurant's WhatsApp number and Twilio account.
    public static let demoNumber = "whatsapp:+14155238886"
    static let demoAccountSid = "AC00000000000000000000000000000de0"

    /// Fills what is missing from `environment`: databases from `scripts/services`, secrets from (or into)
    /// `.data/dev.env`, and the URLs of a one-machine setup.
    public static func configuration(
        environment: [String: String], projectRoot: String, startServices: Bool
    ) throws -> SufraConfiguration {
        var environment = environment
        if environment["DATABASE_URL"] == nil {
            let services = try runServicesScript(projectRoot: projectRoot, command: startServices ? "start" : "env")
            for (key, value) in services where environment[key] == nil { environment[key] = value }
        }
        for (key, value) in try devSecrets(projectRoot: projectRoot) where environment[key] == nil {
            environment[key] = value
        }
        let host = environment["HOST"] ?? "127.0.0.1"
        let port = environment["PORT"] ?? "8080"
        environment["PUBLIC_URL"] = environment["PUBLIC_URL"] ?? "http://\(host):\(port)"
        environment["TWILIO_API_BASE"] = environment["TWILIO_API_BASE"] ?? "http://\(host):\(port)"
        return try SufraConfiguration(environment: environment)
    }

    /// Runs everything until interrupted; prints the URLs and a dashboard token first.
    public static func run(configuration: SufraConfiguration, logger: Logger) async throws {
        guard let databaseURL = configuration.databaseURL else { throw ConfigurationError.missing("DATABASE_URL") }
        let secrets = try configuration.secretBox()
        let demoToken = try demoAuthToken(configuration)
        let staffPassword = try demoStaffPassword(configuration)
        let staffHash = try await PasswordHasher.make(staffPassword)
        let demoId = try await withPostgres(url: databaseURL, logger: logger) { client in
            try await Migrator(logger: logger).migrate(client)
            let id = try await ensureDemoRestaurant(client: client, secrets: secrets, authToken: demoToken)
            try await ensureDemoStaff(client: client, restaurantId: id, passwordHash: staffHash)
            return id
        }
        let sandbox = TwilioSandbox()
        sandbox.registerAccount(sid: demoAccountSid, authToken: demoToken)
        var options = SufraApplication.Options()
        options.mounted = [sandbox]
        // Like `serve`, a restart takes back the replies its predecessor had in flight (docs/outbound.md).
        options.leaseSlot = await SufraApplication.leaseSlot(
            configuration: configuration, role: "dev", port: configuration.port, logger: logger)
        let app = try SufraApplication(configuration: configuration, options: options, logger: logger)
        let dashboardToken = try await DashboardTokens(secret: configuration.jwtSecret ?? "").sign(
            DashboardClaims(
                sub: "dev", restaurantId: demoId, role: .admin, exp: Date().addingTimeInterval(8 * 3600), iat: Date()))
        let base = "http://\(configuration.host):\(configuration.port)"
        let banner =
            """
            Sufra is running (development mode)
              server        \(base)
              dashboard     \(base)/dashboard?restaurant=\(demoId)
              staff login   restaurant \(demoId)
                            email \(demoStaffEmail)  password \(staffPassword)
              health        \(base)/health
              metrics       \(base)/metrics
              sandbox       \(base)/sandbox/messages  (what the bot sent, instead of WhatsApp)
              demo          restaurant \(demoId), number \(demoNumber)
              admin token   \(configuration.adminToken ?? "(admin API disabled)")
              chat          sufra chat --restaurant \(demoId)
            dashboard token (admin, for the API):
            \(dashboardToken)

            """
        // Written unbuffered so it shows before the logs even when stdout is a pipe.
        FileHandle.standardOutput.write(Data(banner.utf8))
        try await app.application().runService()
    }

    /// The demo restaurant's id, creating it (with a menu) on the first run.
    static func ensureDemoRestaurant(
        client: PGPool, secrets: SecretBox, authToken: String
    ) async throws
        -> String
    {
        let repository = RestaurantRepository(client: client)
        if let existing = try await repository.allCredentialed().first(where: { $0.record.whatsappFrom == demoNumber })
        {
            return existing.record.id
        }
        let id = UUID().uuidString.lowercased()
        let menu: [(String, String, Int64)] = [
            ("شاورما دجاج", "Chicken shawarma", 1500), ("فلافل", "Falafel wrap", 800), ("حمص", "Hummus", 900),
            ("فتوش", "Fattoush", 1100), ("عصير برتقال", "Orange juice", 600), ("شاي", "Tea", 300),
        ]
        _ = try await repository.create(
            id: id,
            fields: .init(
                name: "مطعم سفرة", whatsappFrom: demoNumber, twilioAccountSid: demoAccountSid,
                supportContact: "+966500000000"),
            encryptedAuthToken: try secrets.seal(authToken, associatedData: id),
            menu: menu.map { MenuItemRecord(id: nil, name: .init(ar: $0.0, en: $0.1), price: $0.2) })
        return id
    }

    /// The demo staff account's email.
    public static let demoStaffEmail = "staff@sufra.dev"

    /// The demo staff account (role staff), created on the first run; its password is set again on every run so
    /// the printed one always works.
    static func ensureDemoStaff(client: PGPool, restaurantId: String, passwordHash: String) async throws {
        let users = UserStore(client: client)
        do {
            _ = try await users.create(
                restaurantId: restaurantId, email: demoStaffEmail, name: "Demo staff", role: "staff",
                passwordHash: passwordHash)
        } catch UserStore.CreateError.duplicateEmail {
            try await users.setPasswordHash(restaurantId: restaurantId, email: demoStaffEmail, passwordHash)
        }
    }

    /// The demo staff password, derived from `MASTER_KEY` so it is stable across runs.
    static func demoStaffPassword(_ configuration: SufraConfiguration) throws -> String {
        let key = Array((configuration.masterKey ?? "").utf8)
        return Hex.encode(HMAC.sha256(key: key, data: Array("sufra-dev-staff-password".utf8))).prefix(12).description
    }

    /// The demo account's auth token, derived from `MASTER_KEY` so it is stable across runs.
    static func demoAuthToken(_ configuration: SufraConfiguration) throws -> String {
        let key = Array((configuration.masterKey ?? "").utf8)
        return Hex.encode(HMAC.sha256(key: key, data: Array("sufra-dev-demo-token".utf8))).prefix(32).description
    }

    /// The project root: the nearest folder above `start` holding `scripts/services`.
    public static func projectRoot(from start: String) -> String? {
        var url = URL(fileURLWithPath: start)
        for _ in 0..<12 {
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("scripts/services").path) {
                return url.path
            }
            url.deleteLastPathComponent()
        }
        return nil
    }

    /// Runs `scripts/services <command>` and parses its `export KEY=value` lines.
    static func runServicesScript(projectRoot: String, command: String) throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: projectRoot + "/scripts/services")
        process.arguments = [command]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandError("scripts/services \(command) failed (exit \(process.terminationStatus))")
        }
        var values: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst(7).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { values[String(pair[0])] = String(pair[1]) }
        }
        return values
    }

    /// `MASTER_KEY`, `JWT_SECRET` and `ADMIN_TOKEN` for development, generated once into `.data/dev.env`.
    static func devSecrets(projectRoot: String) throws -> [String: String] {
        let path = projectRoot + "/.data/dev.env"
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            var values: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let pair = line.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { values[String(pair[0])] = String(pair[1]) }
            }
            if values["MASTER_KEY"] != nil, values["JWT_SECRET"] != nil { return values }
        }
        let values = [
            "MASTER_KEY": Base64.encode(try SecureRandom.bytes(32)),
            "JWT_SECRET": Hex.encode(try SecureRandom.bytes(32)),
            "ADMIN_TOKEN": Hex.encode(try SecureRandom.bytes(16)),
        ]
        try FileManager.default.createDirectory(atPath: projectRoot + "/.data", withIntermediateDirectories: true)
        let text = values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return values
    }
}

import Foundation
import Infra
import Logging

extension SufraApplication {
    /// Takes this process's lease slot before the application is built: `SUFRA_INSTANCE`, or `<host>:<role>`
    /// (plus `:<port>` for `serve`) by default, or the first free `.2`, `.3` … of it. Nil (after a warning) when
    /// none can be taken; the process then runs as before, its leases taken back by the reaper only.
    public static func leaseSlot(
        configuration: SufraConfiguration, role: String, port: Int? = nil, logger: Logger
    ) async -> LeaseSlot? {
        guard let url = configuration.databaseURL, let postgres = try? PGConfiguration(url: url) else { return nil }
        let base =
            configuration.instanceName ?? LeaseIdentity.defaultSlot(host: Self.hostName(), role: role, port: port)
        return await LeaseSlot.acquire(base: base, configuration: postgres, logger: logger.with(label: "outbound"))
    }

    /// The machine's host name (`gethostname`, no name resolution).
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

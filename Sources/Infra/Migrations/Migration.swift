/// One versioned schema change: a SQL script applied once, inside a transaction.
public struct Migration: Sendable, Hashable {
    /// Unique, increasing version number; applied in ascending order.
    public let version: Int
    /// A short human name, stored alongside the version.
    public let name: String
    /// The script (one or more statements; no parameters).
    public let sql: String

    /// Describes a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Sufra's migrations, in order.
    public static let all: [Migration] = [
        schemaV1, outboundV2, outboundV3, outboundV4, inboundHandlingV5, staffV6, hotPathV7, auditByReferenceV8,
        messageIsAuditV9, batchExpectationV10, recencyWindowV11, messageWindowV12,
    ]
}

import Foundation

/// Restaurants and their menus in PostgreSQL: what the admin API, the CLI and the tenant directory read and
/// write. Every change is announced on the `sufra_restaurants` channel so every instance refreshes its
/// directory. Auth tokens go in and out only as ciphertext (``SecretBox`` is the caller's).
public struct RestaurantRepository: Sendable {
    /// A restaurant's fields as written by create/patch.
    public struct Fields: Sendable {
        public var name: String
        public var whatsappFrom: String
        public var twilioAccountSid: String
        public var inboundPerMinute: Int
        public var sendPerMinute: Int
        public var language: String
        public var supportContact: String?
        public var promoContentSid: String?

        /// Creates the fields.
        public init(
            name: String, whatsappFrom: String, twilioAccountSid: String, inboundPerMinute: Int = 60,
            sendPerMinute: Int = 60, language: String = "ar", supportContact: String? = nil,
            promoContentSid: String? = nil
        ) {
            self.name = name
            self.whatsappFrom = whatsappFrom
            self.twilioAccountSid = twilioAccountSid
            self.inboundPerMinute = inboundPerMinute
            self.sendPerMinute = sendPerMinute
            self.language = language
            self.supportContact = supportContact
            self.promoContentSid = promoContentSid
        }
    }

    /// A restaurant with its encrypted token, for the tenant directory.
    public struct Credentialed: Sendable {
        public var record: RestaurantRecord
        public var encryptedAuthToken: String
        /// The row's revision (bumped by every update).
        public var revision: Int64
        /// The credentials' version (bumped when the account SID or the token changes).
        public var credentialsVersion: Int64

        static func decode(_ row: PGRow) throws -> Credentialed {
            Credentialed(
                record: try RestaurantRepository.record(row),
                encryptedAuthToken: try row.decode("twilio_auth_token_enc", as: String.self),
                revision: try row.decode("revision", as: Int64.self),
                credentialsVersion: try row.decode("credentials_version", as: Int64.self))
        }
    }

    /// The channel restaurant changes are announced on (payload: the restaurant id).
    public static let changesChannel = "sufra_restaurants"

    static let columns = """
        id::text AS id, name, whatsapp_from, twilio_account_sid, inbound_per_minute, send_per_minute, language,
        support_contact, promo_content_sid, status, status_reason, twilio_auth_token_enc, revision, credentials_version,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_iso,
        (extract(epoch FROM created_at) * 1000000)::bigint AS created_micros
        """

    let client: PGPool

    /// Creates the repository.
    public init(client: PGPool) {
        self.client = client
    }

    /// Creates a restaurant with id `id` (chosen by the caller, who encrypted the token with it as associated
    /// data) and its menu. Throws ``RepositoryError/duplicateNumber`` when the WhatsApp number is taken.
    public func create(
        id: String, fields: Fields, encryptedAuthToken: String, menu: [MenuItemRecord]
    ) async throws -> RestaurantRecord {
        do {
            let record = try await client.withTransaction { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO restaurants (id, name, whatsapp_from, twilio_account_sid, twilio_auth_token_enc,
                        inbound_per_minute, send_per_minute, language, support_contact, promo_content_sid)
                    VALUES (\(id)::uuid, \(fields.name), \(fields.whatsappFrom), \(fields.twilioAccountSid),
                        \(encryptedAuthToken), \(fields.inboundPerMinute), \(fields.sendPerMinute), \(fields.language),
                        \(fields.supportContact), \(fields.promoContentSid))
                    RETURNING \(unescaped: Self.columns)
                    """)
                if !menu.isEmpty { _ = try await Self.replaceMenu(restaurantId: id, items: menu, on: connection) }
                try await Self.announce(id, on: connection)
                return try Self.record(try rows.single())
            }
            return record
        } catch let error as PGError where error.isUniqueViolation {
            throw RepositoryError.duplicateNumber
        }
    }

    /// One restaurant, or nil.
    public func get(id: String) async throws -> RestaurantRecord? {
        guard UUID(uuidString: id) != nil else { return nil }
        let rows = try await client.query("SELECT \(unescaped: Self.columns) FROM restaurants WHERE id = \(id)::uuid")
        return try rows.first.map(Self.record)
    }

    /// A page of restaurants, newest first.
    public func list(limit: Int, before: PageCursor?) async throws -> Page<RestaurantRecord> {
        let rows: PGRows
        if let before {
            rows = try await client.query(
                """
                SELECT \(unescaped: Self.columns) FROM restaurants
                WHERE ((extract(epoch FROM created_at) * 1000000)::bigint, id) < (\(before.micros), \(before.id)::uuid)
                ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)
                """)
        } else {
            rows = try await client.query(
                "SELECT \(unescaped: Self.columns) FROM restaurants ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)"
            )
        }
        return try Page(rows: rows, limit: limit, sortKey: "created_micros", Self.record)
    }

    /// Every restaurant with its encrypted token (directory load).
    public func allCredentialed() async throws -> [Credentialed] {
        let rows = try await client.query("SELECT \(unescaped: Self.columns) FROM restaurants")
        return try rows.map(Credentialed.decode)
    }

    /// One restaurant with its encrypted token.
    public func credentialed(id: String) async throws -> Credentialed? {
        guard UUID(uuidString: id) != nil else { return nil }
        let rows = try await client.query("SELECT \(unescaped: Self.columns) FROM restaurants WHERE id = \(id)::uuid")
        return try rows.first.map(Credentialed.decode)
    }

    /// Replaces a restaurant's fields (and its token when `encryptedAuthToken` is given).
    public func update(id: String, fields: Fields, encryptedAuthToken: String?) async throws -> RestaurantRecord? {
        do {
            return try await client.withTransaction { connection in
                let rows = try await connection.query(
                    """
                    UPDATE restaurants SET name = \(fields.name), whatsapp_from = \(fields.whatsappFrom),
                        twilio_account_sid = \(fields.twilioAccountSid),
                        twilio_auth_token_enc = COALESCE(\(encryptedAuthToken), twilio_auth_token_enc),
                        inbound_per_minute = \(fields.inboundPerMinute), send_per_minute = \(fields.sendPerMinute),
                        language = \(fields.language), support_contact = \(fields.supportContact),
                        promo_content_sid = \(fields.promoContentSid), updated_at = now()
                    WHERE id = \(id)::uuid RETURNING \(unescaped: Self.columns)
                    """)
                guard let row = rows.first else { return nil }
                try await Self.announce(id, on: connection)
                return try Self.record(row)
            }
        } catch let error as PGError where error.isUniqueViolation {
            throw RepositoryError.duplicateNumber
        }
    }

    /// Sets the status (`active`, `paused`, `inactive`) and its reason.
    public func setStatus(id: String, status: String, reason: String?) async throws -> RestaurantRecord? {
        guard UUID(uuidString: id) != nil else { return nil }
        return try await client.withTransaction { connection in
            let rows = try await connection.query(
                """
                UPDATE restaurants SET status = \(status), status_reason = \(reason), updated_at = now()
                WHERE id = \(id)::uuid RETURNING \(unescaped: Self.columns)
                """)
            guard let row = rows.first else { return nil }
            try await Self.announce(id, on: connection)
            return try Self.record(row)
        }
    }

    /// Deletes a restaurant and all its data: its messages and audit lines here, everything else by cascade. False
    /// when it did not exist.
    public func delete(id: String) async throws -> Bool {
        guard UUID(uuidString: id) != nil else { return false }
        return try await client.withTransaction { connection in
            // Messages and audit lines have no foreign key (migrations 7 and 9: a check per inserted row it would
            // cost), so they are deleted here, and no message may commit after its delete. The restaurant's row,
            // locked first, keeps new conversations out (their insert's foreign-key check waits for it); its
            // conversations, locked next, keep new messages out (every message insert locks or moves its
            // conversation first) and wait out the batches writing them now. Only then, in a statement of its own
            // that sees what those batches committed, are the messages deleted, found through their conversations.
            let exists = try await connection.query(
                "SELECT 1 AS one FROM restaurants WHERE id = \(id)::uuid FOR UPDATE")
            guard !exists.isEmpty else { return false }
            // In key order, as the ingest batches lock them.
            _ = try await connection.query(
                """
                SELECT id FROM conversations WHERE restaurant_id = \(id)::uuid
                ORDER BY restaurant_id, customer FOR UPDATE
                """)
            _ = try await connection.execute(
                """
                DELETE FROM messages WHERE conversation_id IN (
                    SELECT id FROM conversations WHERE restaurant_id = \(id)::uuid)
                """)
            _ = try await connection.execute("DELETE FROM webhook_audit WHERE restaurant_id = \(id)::uuid")
            // Its row is locked by this transaction: the delete finds it.
            _ = try await connection.execute("DELETE FROM restaurants WHERE id = \(id)::uuid")
            try await Self.announce(id, on: connection)
            return true
        }
    }

    /// The restaurant's menu in position order.
    public func menu(restaurantId: String) async throws -> [MenuItemRecord] {
        let rows = try await client.query(
            """
            SELECT id::text AS id, name_ar, name_en, price, available FROM menu_items
            WHERE restaurant_id = \(restaurantId)::uuid ORDER BY position, created_at
            """)
        return try rows.map(Self.menuItem)
    }

    /// Replaces the menu; items carrying an id keep it (docs/http-api.md).
    public func replaceMenu(restaurantId: String, items: [MenuItemRecord]) async throws -> [MenuItemRecord] {
        try await client.withTransaction { connection in
            try await Self.replaceMenu(restaurantId: restaurantId, items: items, on: connection)
        }
    }

    static func replaceMenu(
        restaurantId: String, items: [MenuItemRecord], on connection: PGConnection
    ) async throws -> [MenuItemRecord] {
        _ = try await connection.execute("DELETE FROM menu_items WHERE restaurant_id = \(restaurantId)::uuid")
        guard !items.isEmpty else { return [] }
        var values = SQLValuesBuilder(casts: ["uuid", "uuid", "int", "text", "text", "bigint", "bool"])
        for (position, item) in items.enumerated() {
            let id = item.id.flatMap { UUID(uuidString: $0) }?.uuidString.lowercased() ?? UUID().uuidString.lowercased()
            values.append([id, restaurantId, position, item.name.ar, item.name.en, item.price, item.available])
        }
        let rows = try await connection.query(
            values.query(
                prefix:
                    "INSERT INTO menu_items (id, restaurant_id, position, name_ar, name_en, price, available) VALUES ",
                suffix: "RETURNING id::text AS id, name_ar, name_en, price, available"))
        _ = try await connection.execute(
            "SELECT pg_notify(\(Self.changesChannel), \("menu:" + restaurantId))")
        return try rows.map(Self.menuItem)
    }

    private static func announce(_ id: String, on connection: PGConnection) async throws {
        _ = try await connection.execute("SELECT pg_notify(\(Self.changesChannel), \(id))")
    }

    static func record(_ row: PGRow) throws -> RestaurantRecord {
        RestaurantRecord(
            id: try row.decode("id", as: String.self), name: try row.decode("name", as: String.self),
            whatsappFrom: try row.decode("whatsapp_from", as: String.self),
            twilioAccountSid: try row.decode("twilio_account_sid", as: String.self),
            inboundPerMinute: try row.decode("inbound_per_minute", as: Int.self),
            sendPerMinute: try row.decode("send_per_minute", as: Int.self),
            language: try row.decode("language", as: String.self),
            supportContact: try row.decode("support_contact", as: String?.self),
            promoContentSid: try row.decode("promo_content_sid", as: String?.self),
            status: try row.decode("status", as: String.self),
            statusReason: try row.decode("status_reason", as: String?.self),
            createdAt: try row.decode("created_iso", as: String.self))
    }

    static func menuItem(_ row: PGRow) throws -> MenuItemRecord {
        MenuItemRecord(
            id: try row.decode("id", as: String.self),
            name: .init(ar: try row.decode("name_ar", as: String.self), en: try row.decode("name_en", as: String.self)),
            price: try row.decode("price", as: Int64.self), available: try row.decode("available", as: Bool.self))
    }
}

/// A repository refused a write.
public enum RepositoryError: Error, Sendable, Equatable {
    /// Another restaurant already has this WhatsApp number.
    case duplicateNumber
}

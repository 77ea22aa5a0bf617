import Foundation
import Infra

/// The body of `POST /admin/restaurants` and `PATCH /admin/restaurants/{id}` (every field optional in a
/// patch). Validation gives the one-line reasons the API answers with 400.
struct RestaurantInput: Decodable, Sendable {
    var name: String?
    var whatsappFrom: String?
    var twilioAccountSid: String?
    var twilioAuthToken: String?
    var inboundPerMinute: Int?
    var sendPerMinute: Int?
    var language: String?
    var supportContact: String?
    var promoContentSid: String?
    var menu: [MenuItemRecord]?

    /// The fields of a new restaurant, or the reason they are not acceptable.
    func creationFields() throws -> (RestaurantRepository.Fields, token: String) {
        guard let name = trimmed(name) else { throw APIError.badRequest("name is required") }
        guard let whatsappFrom = trimmed(whatsappFrom) else { throw APIError.badRequest("whatsappFrom is required") }
        guard let accountSid = trimmed(twilioAccountSid) else {
            throw APIError.badRequest("twilioAccountSid is required")
        }
        guard let token = trimmed(twilioAuthToken) else { throw APIError.badRequest("twilioAuthToken is required") }
        let fields = RestaurantRepository.Fields(
            name: name, whatsappFrom: whatsappFrom, twilioAccountSid: accountSid,
            inboundPerMinute: inboundPerMinute ?? 60, sendPerMinute: sendPerMinute ?? 60, language: language ?? "ar",
            supportContact: trimmed(supportContact), promoContentSid: trimmed(promoContentSid))
        try Self.validate(fields)
        try validateMenu()
        return (fields, token)
    }

    /// `current` with this patch applied, and the new token if one was given.
    func patched(_ current: RestaurantRecord) throws -> (RestaurantRepository.Fields, token: String?) {
        if name != nil && trimmed(name) == nil { throw APIError.badRequest("name must not be empty") }
        let fields = RestaurantRepository.Fields(
            name: trimmed(name) ?? current.name, whatsappFrom: trimmed(whatsappFrom) ?? current.whatsappFrom,
            twilioAccountSid: trimmed(twilioAccountSid) ?? current.twilioAccountSid,
            inboundPerMinute: inboundPerMinute ?? current.inboundPerMinute,
            sendPerMinute: sendPerMinute ?? current.sendPerMinute, language: language ?? current.language,
            supportContact: supportContact.map { $0.isEmpty ? nil : $0 } ?? current.supportContact,
            promoContentSid: promoContentSid.map { $0.isEmpty ? nil : $0 } ?? current.promoContentSid)
        try Self.validate(fields)
        try validateMenu()
        if twilioAuthToken != nil && trimmed(twilioAuthToken) == nil {
            throw APIError.badRequest("twilioAuthToken must not be empty")
        }
        return (fields, trimmed(twilioAuthToken))
    }

    static func validate(_ fields: RestaurantRepository.Fields) throws {
        guard fields.whatsappFrom.hasPrefix("whatsapp:+"), fields.whatsappFrom.count > 10 else {
            throw APIError.badRequest("whatsappFrom must look like 'whatsapp:+14155238886'")
        }
        guard (1...100_000).contains(fields.inboundPerMinute) else {
            throw APIError.badRequest("inboundPerMinute must be between 1 and 100000")
        }
        guard (1...100_000).contains(fields.sendPerMinute) else {
            throw APIError.badRequest("sendPerMinute must be between 1 and 100000")
        }
        guard ["ar", "en"].contains(fields.language) else { throw APIError.badRequest("language must be 'ar' or 'en'") }
    }

    func validateMenu() throws {
        try Self.validateMenu(menu ?? [])
    }

    static func validateMenu(_ items: [MenuItemRecord]) throws {
        guard items.count <= 500 else { throw APIError.badRequest("a menu holds at most 500 items") }
        for (index, item) in items.enumerated() {
            guard item.price >= 0, item.price <= 100_000_000 else {
                throw APIError.badRequest("menu item \(index + 1): price must be between 0 and 100000000 minor units")
            }
            guard !(item.name.ar.isEmpty && item.name.en.isEmpty) else {
                throw APIError.badRequest("menu item \(index + 1): a name is required")
            }
        }
    }

    private func trimmed(_ value: String?) -> String? {
        guard let value else { return nil }
        let result = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return result.isEmpty ? nil : result
    }
}

import Foundation
import Hummingbird

extension StaffController {
    /// The default period when `from` is absent: the 30 days before `to`.
    static let defaultPeriod: TimeInterval = 30 * 86_400

    /// `GET /api/analytics?from=&to=` (ISO-8601 instants or dates; `to` defaults to now).
    func analytics(_ request: Request, _ context: SufraRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        let query = request.uri.queryParameters
        let to = try query["to"].map { try Self.instant(String($0), name: "to") } ?? Date()
        let from =
            try query["from"].map { try Self.instant(String($0), name: "from") }
            ?? to.addingTimeInterval(-Self.defaultPeriod)
        guard from < to else { throw APIError.badRequest("from must be before to") }
        return try JSONBody.response(
            try await store.analytics(
                restaurantId: staff.restaurantId, from: Self.micros(from), to: Self.micros(to)))
    }

    static func instant(_ text: String, name: String) throws -> Date {
        let styles: [Date.ISO8601FormatStyle] = [
            .init(includingFractionalSeconds: true), .init(), .init().year().month().day(),
        ]
        for style in styles {
            if let date = try? style.parse(text) { return date }
        }
        throw APIError.badRequest("\(name) is not an ISO-8601 time")
    }

    static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}

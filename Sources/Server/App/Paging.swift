import Hummingbird
import Infra

/// `?limit=&before=CURSOR` of every list (docs/http-api.md): limit 1…200 (default 50), an opaque cursor.
enum Paging {
    static func parse(_ request: Request) throws -> (limit: Int, before: PageCursor?) {
        let query = request.uri.queryParameters
        var limit = 50
        if let raw = query["limit"] {
            guard let value = Int(String(raw)), (1...200).contains(value) else {
                throw APIError.badRequest("limit must be an integer between 1 and 200")
            }
            limit = value
        }
        var cursor: PageCursor?
        if let raw = query["before"], !raw.isEmpty {
            guard let parsed = PageCursor(String(raw)) else {
                throw APIError.badRequest("before is not a valid cursor")
            }
            cursor = parsed
        }
        return (limit, cursor)
    }
}

import HTTPTypes
import Hummingbird

/// An API failure answered as `{ "error": "…" }` with its status; thrown from a route, Hummingbird turns it into
/// the response. Messages never carry secrets.
struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    let status: HTTPResponse.Status
    let message: String
    var extra: [String: [String]] = [:]

    init(_ status: HTTPResponse.Status, _ message: String, extra: [String: [String]] = [:]) {
        self.status = status
        self.message = message
        self.extra = extra
    }

    var description: String { message }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var json = "{\"error\":" + JSONBody.quoted(message)
        for (key, values) in extra.sorted(by: { $0.key < $1.key }) {
            json += "," + JSONBody.quoted(key) + ":[" + values.map(JSONBody.quoted).joined(separator: ",") + "]"
        }
        json += "}"
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    static func notFound(_ what: String = "not found") -> APIError { APIError(.notFound, what) }
    static func badRequest(_ why: String) -> APIError { APIError(.badRequest, why) }
}

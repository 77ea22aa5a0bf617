import Actors
import Foundation
import HTTPTypes
import Hummingbird

/// JSON in and out of the API: bounded bodies, decoding errors as 400 with a readable reason, camelCase output.
enum JSONBody {
    /// Largest JSON body accepted (menus included).
    static let maximumBytes = 1 << 20

    /// Decodes the request body as `T`, or throws a 400/413 ``APIError``.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBytes)
        } catch {
            throw APIError(.contentTooLarge, "body over \(maximumBytes) bytes")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw APIError.badRequest("wrong type at '\(path(context))'")
        } catch let DecodingError.valueNotFound(_, context) {
            throw APIError.badRequest("null at '\(path(context))'")
        } catch {
            throw APIError.badRequest("body is not valid JSON")
        }
    }

    /// A JSON response.
    static func response(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `value` as compact JSON text (event `data`).
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A JSON string literal.
    static func quoted(_ value: String) -> String { JSONText.quoted(value) }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

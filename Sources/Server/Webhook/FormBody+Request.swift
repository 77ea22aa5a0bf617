import Hummingbird

/// Why a Twilio request's form body could not be read, with the status and text the caller answers.
enum FormReadFailure: Error {
    /// The content type is not `application/x-www-form-urlencoded` (400).
    case notForm
    /// The body is over the limit (413).
    case tooLarge(limit: Int)
    /// The body is not valid form encoding (400).
    case malformed(FormBodyError)

    /// The status to answer.
    var status: HTTPResponse.Status {
        switch self {
        case .tooLarge: .contentTooLarge
        case .notForm, .malformed: .badRequest
        }
    }

    /// The one-line reason to answer.
    var reason: String {
        switch self {
        case .notForm: "expected application/x-www-form-urlencoded"
        case .tooLarge(let limit): "body over \(limit) bytes"
        case .malformed(let error): error.description
        }
    }
}

extension FormBody {
    /// The bodies of Twilio's webhooks and status callbacks are refused above this (413).
    static let maximumRequestBytes = 64 * 1024

    /// Reads and decodes `request`'s form body (Twilio's webhooks and status callbacks).
    static func read(_ request: inout Request) async throws(FormReadFailure) -> FormBody {
        guard let type = request.headers.firstValue(.contentType)?.lowercased(),
            type.hasPrefix("application/x-www-form-urlencoded")
        else { throw .notForm }
        // A body trickled in slowly is cut off by ``RequestBodyDeadlineHandler`` (408) on the connection.
        let bytes: ByteBuffer
        do {
            bytes = try await request.collectBody(upTo: maximumRequestBytes)
        } catch {
            throw .tooLarge(limit: maximumRequestBytes)
        }
        do {
            return try FormBody(decoding: bytes.readableBytesView)
        } catch {
            throw .malformed(error)
        }
    }
}

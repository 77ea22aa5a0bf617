import Hummingbird

/// Why a Twilio request's form body could not be read, with the status and text the caller answers.
enum FormReadFailure: Error {
    /// The content type is not `application/x-www-form-urlencoded` (400).
    case notForm
    /// The body is over the limit (413).
    case tooLarge(limit: Int)
    /// The body did not arrive within the deadline (408): a client trickling its body (slowloris).
    case tooSlow(deadline: Duration)
    /// The body is not valid form encoding (400).
    case malformed(FormBodyError)

    /// The status to answer.
    var status: HTTPResponse.Status {
        switch self {
        case .tooLarge: .contentTooLarge
        case .tooSlow: .requestTimeout
        case .notForm, .malformed: .badRequest
        }
    }

    /// The one-line reason to answer.
    var reason: String {
        switch self {
        case .notForm: "expected application/x-www-form-urlencoded"
        case .tooLarge(let limit): "body over \(limit) bytes"
        case .tooSlow(let deadline): "body not received within \(deadline)"
        case .malformed(let error): error.description
        }
    }
}

extension FormBody {
    /// The bodies of Twilio's webhooks and status callbacks are refused above this (413).
    static let maximumRequestBytes = 64 * 1024

    /// The whole body must arrive within this (64 KiB take milliseconds; the idle timeout alone would let a
    /// client trickle one byte per interval for hours).
    static let bodyDeadline: Duration = .seconds(10)

    /// Reads and decodes `request`'s form body (Twilio's webhooks and status callbacks).
    static func read(_ request: inout Request) async throws(FormReadFailure) -> FormBody {
        guard let type = request.headers[.contentType]?.lowercased(),
            type.hasPrefix("application/x-www-form-urlencoded")
        else { throw .notForm }
        let pending = request
        let collected: ByteBuffer?
        do {
            collected = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask {
                    var request = pending
                    return try await request.collectBody(upTo: maximumRequestBytes)
                }
                group.addTask {
                    try await Task.sleep(for: bodyDeadline)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
        } catch {
            throw .tooLarge(limit: maximumRequestBytes)
        }
        guard let bytes = collected else { throw .tooSlow(deadline: bodyDeadline) }
        do {
            return try FormBody(decoding: bytes.readableBytesView)
        } catch {
            throw .malformed(error)
        }
    }
}

import Hummingbird

/// The empty TwiML answer Twilio expects: replies never ride in it, they go through the outbound queue.
enum TwiML {
    /// `<?xml …?><Response></Response>`.
    static let emptyResponse = #"<?xml version="1.0" encoding="UTF-8"?><Response></Response>"#

    /// A 200 `text/xml` response with the empty TwiML.
    static func ok() -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/xml"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: emptyResponse)))
    }
}

/// A decoded webhook on its way in: the parameters, the signature header and the URL Twilio signed.
public struct InboundRequest: Sendable {
    /// Form parameters in order.
    public var parameters: [(name: String, value: String)]
    /// `X-Twilio-Signature`, if present.
    public var signature: String?
    /// The URL Twilio called, as Twilio saw it (from `PUBLIC_URL` or the forwarded headers).
    public var signedURL: String

    /// Creates a request.
    public init(parameters: [(name: String, value: String)], signature: String?, signedURL: String) {
        self.parameters = parameters
        self.signature = signature
        self.signedURL = signedURL
    }

    /// The first value of a parameter.
    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }
}

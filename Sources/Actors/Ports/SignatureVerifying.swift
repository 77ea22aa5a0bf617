/// Checks `X-Twilio-Signature` with a restaurant's auth token (Twilio's algorithm, URL variants included).
public protocol SignatureVerifying: Sendable {
    /// True when `signature` signs `url` and `parameters` with `authToken`.
    func isValid(
        signature: String, url: String, parameters: [(name: String, value: String)], authToken: String
    ) -> Bool
}

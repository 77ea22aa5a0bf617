import Actors

/// ``SignatureVerifying`` with Twilio's algorithm (``TwilioSignature``).
public struct TwilioSignatureVerifier: SignatureVerifying {
    /// Creates the verifier.
    public init() {}

    public func isValid(
        signature: String, url: String, parameters: [(name: String, value: String)], authToken: String
    ) -> Bool {
        TwilioSignature.isValid(signature: signature, authToken: authToken, url: url, parameters: parameters)
    }
}

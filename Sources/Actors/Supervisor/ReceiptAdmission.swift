/// The Supervisor's answer to one status callback; the HTTP layer maps each case to its status code.
public enum ReceiptAdmission: Sendable, Equatable {
    /// Signed by the restaurant's current token: store it for this restaurant.
    case admitted(restaurantId: String)
    /// No restaurant has this `From` number (404).
    case unknownRestaurant
    /// `X-Twilio-Signature` missing or wrong (403).
    case badSignature
    /// The restaurant directory has not loaded yet (503).
    case unavailable(String)
}

/// The parts of an inbound WhatsApp message the bot reads (Twilio's `Body`, `ButtonPayload`, `Latitude`,
/// `Longitude`, `Address`).
public struct InboundContent: Sendable, Hashable, Codable {
    /// The text (`Body`); empty for media-only or location messages.
    public var body: String
    /// The payload of a tapped quick-reply button (`ButtonPayload`), if any.
    public var buttonPayload: String?
    /// Latitude of a shared location (`Latitude`), if any.
    public var latitude: Double?
    /// Longitude of a shared location (`Longitude`), if any.
    public var longitude: Double?
    /// The label of a shared location (`Address`), if any.
    public var address: String?

    /// Creates inbound content.
    public init(
        body: String, buttonPayload: String? = nil, latitude: Double? = nil, longitude: Double? = nil,
        address: String? = nil
    ) {
        self.body = body
        self.buttonPayload = buttonPayload
        self.latitude = latitude
        self.longitude = longitude
        self.address = address
    }

    /// Whether this message is a shared location (both coordinates present).
    public var isLocation: Bool { latitude != nil && longitude != nil }
}

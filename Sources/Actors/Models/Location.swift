/// Where a delivery goes: a WhatsApp location pin, a typed address, or both.
///
/// Stored as `orders.location` jsonb: `{"latitude":…, "longitude":…, "address":…}`.
public struct Location: Sendable, Hashable, Codable {
    /// Latitude in degrees, −90…90, when the customer shared a pin.
    public var latitude: Double?
    /// Longitude in degrees, −180…180, when the customer shared a pin.
    public var longitude: Double?
    /// A typed address, or the label WhatsApp attached to the pin.
    public var address: String?

    /// Creates a location.
    public init(latitude: Double? = nil, longitude: Double? = nil, address: String? = nil) {
        self.latitude = latitude
        self.longitude = longitude
        self.address = address
    }
}

/// Delivery status ranks (docs/outbound.md): `queued < sending < sent < delivered = undelivered = failed < read`.
/// A receipt never lowers the rank; an unknown status has no rank (stored, rank unchanged).
public enum DeliveryStatus {
    /// The rank of `status`, nil when unknown.
    public static func rank(of status: String) -> Int16? {
        switch status {
        case "queued", "accepted", "scheduled": 0
        case "sending": 1
        case "sent": 2
        case "delivered", "undelivered", "failed": 3
        case "read": 4
        default: nil
        }
    }
}

/// `GET /api/analytics` (docs/http-api.md, docs/staff-api.md) for one restaurant and period `[from, to)`.
///
/// `orders` counts orders placed in the period (confirmed at some point: drafts are not orders yet);
/// `revenue` sums the totals of those not cancelled; `averageRating` averages the ratings given (null when
/// none); `medianResponseMs` is the median, over the period's inbound messages that got an answer, of the time
/// from the inbound message to the first outbound message after it (null when none); `byStatus` counts the
/// period's orders by their current status.
public struct AnalyticsReport: Sendable, Encodable, Equatable {
    public var from: String
    public var to: String
    public var orders: Int
    public var revenue: Int64
    public var averageRating: Double?
    public var medianResponseMs: Int?
    public var byStatus: [String: Int]

    /// Encodes every field, `null` included.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(orders, forKey: .orders)
        try container.encode(revenue, forKey: .revenue)
        try container.encode(averageRating, forKey: .averageRating)
        try container.encode(medianResponseMs, forKey: .medianResponseMs)
        try container.encode(byStatus, forKey: .byStatus)
    }

    private enum CodingKeys: String, CodingKey {
        case from, to, orders, revenue, averageRating, medianResponseMs, byStatus
    }
}

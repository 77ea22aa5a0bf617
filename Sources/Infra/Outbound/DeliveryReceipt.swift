import Foundation

/// One Twilio status callback, admitted (signature checked by the restaurant's TenantActor) and ready to store.
public struct DeliveryReceipt: Sendable, Hashable {
    /// The restaurant whose number sent the message (`From`).
    public var restaurantId: String
    /// `MessageSid`.
    public var sid: String
    /// `MessageStatus`.
    public var status: String
    /// `ErrorCode`, if any.
    public var errorCode: String?
    /// `ErrorMessage`, if any.
    public var errorMessage: String?
    /// The `job` query parameter of the callback URL (the outbound message id the sender put there).
    public var jobId: String?

    /// Creates a receipt.
    public init(
        restaurantId: String, sid: String, status: String, errorCode: String? = nil, errorMessage: String? = nil,
        jobId: String? = nil
    ) {
        self.restaurantId = restaurantId
        self.sid = sid
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.jobId = jobId
    }

    /// ``jobId`` when it is a uuid, in PostgreSQL's lower-case form (nil otherwise: the receipt names no job).
    var jobUUID: String? {
        jobId.flatMap { UUID(uuidString: $0) }?.uuidString.lowercased()
    }
}

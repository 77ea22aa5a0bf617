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
        jobId.flatMap(Self.lowercasedUUID)
    }

    /// `text` when it is a uuid (8-4-4-4-12 hex digits, either case, as `UUID(uuidString:)` reads it), lower-cased;
    /// checked byte by byte: Foundation's parser goes through `sscanf`, and a batch asks this of every receipt
    /// several times.
    static func lowercasedUUID(_ text: String) -> String? {
        var bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        for (index, byte) in bytes.enumerated() {
            switch (index, byte) {
            case (8, UInt8(ascii: "-")), (13, UInt8(ascii: "-")), (18, UInt8(ascii: "-")), (23, UInt8(ascii: "-")):
                continue
            case (8, _), (13, _), (18, _), (23, _):
                return nil
            case (_, UInt8(ascii: "0")...UInt8(ascii: "9")), (_, UInt8(ascii: "a")...UInt8(ascii: "f")):
                continue
            case (_, UInt8(ascii: "A")...UInt8(ascii: "F")):
                bytes[index] = byte + 32
            default:
                return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

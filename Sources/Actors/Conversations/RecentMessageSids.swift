/// The last few `MessageSid`s a conversation stored, so a Twilio retry of one of them is answered as a duplicate
/// without a database round trip.
///
/// A conversation keeps these between messages, once per resident conversation, so they are stored compactly:
/// Twilio's sids (`SM` or `MM` and 32 lowercase hex digits) as their 128 bits, inline in the array (24 bytes each
/// instead of a 16-byte string pointing at a 34-byte heap buffer); any other sid as the string it came as. The
/// encoding is exact both ways, so ``contains(_:)`` answers true only for a sid remembered character for character.
struct RecentMessageSids: Sendable, Equatable {
    /// One remembered sid.
    enum Sid: Hashable, Sendable {
        /// `SM` + 32 lowercase hex digits (a message).
        case message(high: UInt64, low: UInt64)
        /// `MM` + 32 lowercase hex digits (a media message).
        case media(high: UInt64, low: UInt64)
        /// Anything else, as received.
        case other(String)

        /// The compact form of `text`.
        init(_ text: String) {
            self = Self.twilio(text) ?? .other(text)
        }

        private static func twilio(_ text: String) -> Sid? {
            var utf8 = text.utf8.makeIterator()
            guard text.utf8.count == 34, let first = utf8.next(), let second = utf8.next(), second == UInt8(ascii: "M")
            else { return nil }
            var halves: (high: UInt64, low: UInt64) = (0, 0)
            for index in 0..<32 {
                guard let byte = utf8.next(), let digit = lowercaseHexDigit(byte) else { return nil }
                if index < 16 {
                    halves.high = halves.high << 4 | digit
                } else {
                    halves.low = halves.low << 4 | digit
                }
            }
            switch first {
            case UInt8(ascii: "S"): return .message(high: halves.high, low: halves.low)
            case UInt8(ascii: "M"): return .media(high: halves.high, low: halves.low)
            default: return nil
            }
        }

        private static func lowercaseHexDigit(_ byte: UInt8) -> UInt64? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(byte - UInt8(ascii: "a") + 10)
            default: nil
            }
        }
    }

    /// How many are remembered; the oldest is forgotten first.
    static let capacity = 8

    /// The remembered sids, oldest first.
    private(set) var sids: [Sid] = []

    /// Whether `sid` is one of the remembered ones.
    func contains(_ sid: String) -> Bool {
        sids.contains(Sid(sid))
    }

    /// Remembers `sid`, forgetting the oldest past ``capacity``.
    mutating func remember(_ sid: String) {
        if sids.isEmpty { sids.reserveCapacity(Self.capacity) }
        if sids.count >= Self.capacity { sids.removeFirst() }
        sids.append(Sid(sid))
    }
}

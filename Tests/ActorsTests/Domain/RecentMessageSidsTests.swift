import Testing

@testable import Actors

@Suite struct RecentMessageSidsTests {
    static let sid = "SM0123456789abcdef0123456789abcdef"

    @Test func twilioSidsAreStoredAsTheirBits() {
        #expect(
            RecentMessageSids.Sid(Self.sid)
                == .message(high: 0x0123_4567_89ab_cdef, low: 0x0123_4567_89ab_cdef))
        #expect(
            RecentMessageSids.Sid("MMffffffffffffffff0000000000000001") == .media(high: .max, low: 1))
    }

    @Test func anythingElseIsKeptAsText() {
        for text in [
            "SM0123456789ABCDEF0123456789abcdef",  // uppercase: would not round-trip
            "SM0123456789abcdef0123456789abcde",  // 31 digits
            "SM0123456789abcdef0123456789abcdef0",  // 33 digits
            "XM0123456789abcdef0123456789abcdef", "SX0123456789abcdef0123456789abcdef",
            "SM0123456789abcdef0123456789abcdeg", "", "retry-1",
        ] {
            #expect(RecentMessageSids.Sid(text) == .other(text), "\(text)")
        }
    }

    @Test func containsOnlyWhatWasRememberedExactly() {
        var recent = RecentMessageSids()
        recent.remember(Self.sid)
        recent.remember("not-a-twilio-sid")
        #expect(recent.contains(Self.sid))
        #expect(recent.contains("not-a-twilio-sid"))
        #expect(!recent.contains("MM0123456789abcdef0123456789abcdef"))
        #expect(!recent.contains("SM0123456789ABCDEF0123456789ABCDEF"))
        #expect(!recent.contains("SM0123456789abcdef0123456789abcdee"))
    }

    @Test func forgetsTheOldestPastItsCapacity() {
        var recent = RecentMessageSids()
        let sids = (0...RecentMessageSids.capacity).map {
            "SM" + String(repeating: "0", count: 31) + String($0, radix: 16)
        }
        for sid in sids { recent.remember(sid) }
        #expect(recent.sids.count == RecentMessageSids.capacity)
        #expect(!recent.contains(sids[0]))
        #expect(sids.dropFirst().allSatisfy { recent.contains($0) })
    }
}

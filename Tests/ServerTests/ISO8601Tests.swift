import Foundation
import Testing

@testable import Server

@Suite struct ISO8601Tests {
    /// Foundation's format style, which the hand-written formatter replaced.
    private let foundation = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    /// The same to the second: Foundation's fraction is a truncated binary one (…40.123 can print as …40.122).
    private let toTheSecond = Date.ISO8601FormatStyle()

    /// `milliseconds` after 1970 as the formatter writes it, checked against Foundation to the second and by
    /// arithmetic for the milliseconds.
    private func check(_ milliseconds: Int64) {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        let stamp = ISO8601.string(date)
        let seconds = Date(timeIntervalSince1970: Double(milliseconds.floorDivided(by: 1000)))
        #expect(stamp.utf8.count == 24, "at \(milliseconds)")
        let wholeSeconds = String(stamp.prefix(19)) + "Z"
        #expect(wholeSeconds == toTheSecond.format(seconds), "at \(milliseconds)")
        let fraction = milliseconds - milliseconds.floorDivided(by: 1000) * 1000
        let expectedFraction = "." + String(String(fraction + 1000).dropFirst()) + "Z"
        #expect(String(stamp.dropFirst(19)) == expectedFraction, "at \(milliseconds)")
    }

    @Test func matchesFoundationAcrossCenturiesLeapDaysAndMilliseconds() {
        let instants: [Int64] = [
            0, 1, 999, 59_999, 86_399_999, 951_782_400_500,  // 2000-02-29, the leap day of a century year
            4_107_542_400_000, 1_735_689_599_999, 1_780_000_000_123, -1, -86_400_250,
            -2_208_988_800_000,  // 1900-01-01
            253_402_300_799_999,  // 9999-12-31T23:59:59.999Z
        ]
        for milliseconds in instants { check(milliseconds) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 { check(Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator)) }
        #expect(ISO8601.string(Date(timeIntervalSince1970: 951_782_400.5)) == "2000-02-29T00:00:00.500Z")
    }

    @Test func nowIsTwentyFourCharactersOfUTC() throws {
        let before = Date()
        let stamp = ISO8601.now()
        #expect(stamp.utf8.count == 24)
        let parsed = try foundation.parse(stamp)
        #expect(abs(parsed.timeIntervalSince(before)) < 5)
    }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}

import Testing

@testable import Actors

@Suite(.timeLimit(.minutes(3))) struct MoneyFormatTests {
    @Test func minorUnitsAreWrittenWithoutFloatingPoint() {
        #expect(MoneyFormat.default.string(1250) == "12.50")
        #expect(MoneyFormat.default.string(5) == "0.05")
        #expect(MoneyFormat.default.string(0) == "0.00")
        #expect(MoneyFormat.default.string(-1205) == "-12.05")
        #expect(MoneyFormat.default.string(Int64.min) == "-92233720368547758.08")
        #expect(MoneyFormat(fractionDigits: 3, currencySuffix: "KWD").string(1500) == "1.500 KWD")
        #expect(MoneyFormat(fractionDigits: 0).string(42) == "42")
        #expect(MoneyFormat(currencySuffix: "ر.س").string(1000) == "10.00 ر.س")
    }
}

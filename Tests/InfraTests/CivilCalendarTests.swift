import Testing

@testable import Infra

@Suite struct CivilCalendarTests {
    @Test func knownDatesAndTheirDays() {
        #expect(CivilCalendar.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilCalendar.days(year: 2000, month: 2, day: 29) == 11_016)
        #expect(CivilCalendar.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilCalendar.date(fromDays: 11_016) == (2000, 2, 29))
        #expect(CivilCalendar.date(fromDays: -719_468) == (0, 3, 1))
        #expect(CivilCalendar.date(fromDays: 2_932_896) == (9999, 12, 31))
    }

    @Test func everyDayOfFourHundredYearsRoundTrips() {
        var previous = CivilCalendar.date(fromDays: -146_098)
        for days in Int64(-146_097)...146_097 {
            let date = CivilCalendar.date(fromDays: days)
            #expect(CivilCalendar.days(year: date.year, month: date.month, day: date.day) == days)
            // Consecutive days: the next day of the month, or the first of the next month or year.
            let next = date.day == previous.day + 1 || (date.day == 1 && (date.month != previous.month))
            if !next { Issue.record("\(previous) is not the day before \(date)") }
            previous = date
        }
    }
}

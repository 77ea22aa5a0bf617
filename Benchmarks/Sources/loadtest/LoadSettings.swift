/// The knobs of a run, from the command line.
struct LoadSettings: Sendable {
    var customers: Int
    var duration: Duration
    var thinkTime: Duration
    var rate: Int
    var rampStart: Int
    var rampStep: Int
    var rampMax: Int
    /// Digits that make this run's phone numbers unique (`1` + tag + index).
    var runTag: String
    /// Dashboards connected in the fan-out scenario.
    var sockets = 0
}

/// The harness could not set up or run a scenario; the description says why.
struct HarnessError: Error, CustomStringConvertible {
    /// The reason.
    let description: String

    /// An error with `description`.
    init(_ description: String) { self.description = description }
}

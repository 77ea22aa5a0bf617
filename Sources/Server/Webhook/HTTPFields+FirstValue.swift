import HTTPTypes

extension HTTPFields {
    /// The value of the first field named `name`, or nil. For the single-valued headers of Twilio's requests:
    /// unlike the `String?` subscript it builds no array of every value and joins nothing (measured on the
    /// webhook path: BENCHMARKS.md, "Server CPU per webhook").
    func firstValue(_ name: HTTPField.Name) -> String? {
        for field in self where field.name == name { return field.value }
        return nil
    }
}

/// Printing a configuration (a log line, a service list at startup) never shows the password.
extension PGConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        let target = unixSocketDirectory ?? "\(host ?? "127.0.0.1"):\(port)"
        return
            "PGConfiguration(\(user)@\(target)/\(database), password: \(password == nil ? "none" : "<redacted>"))"
    }

    public var debugDescription: String { description }
}

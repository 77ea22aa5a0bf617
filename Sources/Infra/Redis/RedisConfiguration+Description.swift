/// Printing a configuration (a log line, a service list at startup) never shows the password.
extension RedisConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        "RedisConfiguration(\(host):\(port)/\(database), password: \(password == nil ? "none" : "<redacted>"))"
    }

    public var debugDescription: String { description }
}

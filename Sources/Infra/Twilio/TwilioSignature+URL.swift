/// The URL variants a signature is checked against, and building the URL Twilio signed.
extension TwilioSignature {
    /// The URL as given (always first), without its port, with the default port added, each also with `'` in the query
    /// as `%27`.
    public static func urlVariants(_ url: String) -> [String] {
        var variants: [String] = []
        func add(_ candidate: String) { if !variants.contains(candidate) { variants.append(candidate) } }
        for base in [url, escapingQuotesInQuery(url)] {
            add(base)
            if let parts = URLParts(base) {
                add(parts.withoutPort)
                add(parts.withDefaultPort)
            }
        }
        return variants
    }

    /// The URL Twilio called, from the configured public base URL (`PUBLIC_URL`) and the request's path and query.
    ///
    /// Behind a proxy the server sees its own host and scheme; Twilio signed the public one. `publicURL` may carry a
    /// path prefix (`https://bot.example.com/sufra`); a trailing slash is dropped.
    public static func signedURL(publicURL: String, pathAndQuery: String) -> String {
        var base = Substring(publicURL)
        while base.hasSuffix("/") { base = base.dropLast() }
        return String(base) + (pathAndQuery.hasPrefix("/") ? pathAndQuery : "/" + pathAndQuery)
    }

    /// The URL Twilio called, from the request's headers: `X-Forwarded-Proto` / `X-Forwarded-Host` (first value, as
    /// set by the closest trusted proxy) over `Host` and the listener's own scheme.
    public static func signedURL(
        host: String?, forwardedProto: String?, forwardedHost: String?, pathAndQuery: String,
        defaultScheme: String = "http"
    ) -> String? {
        func first(_ header: String?) -> String? {
            guard let header else { return nil }
            let value = header.split(separator: ",").first.map { Substring($0).trimmingHTTPWhitespace() } ?? ""
            return value.isEmpty ? nil : value
        }
        let scheme = first(forwardedProto)?.lowercased() ?? defaultScheme
        guard let host = first(forwardedHost) ?? first(host) else { return nil }
        return scheme + "://" + host + (pathAndQuery.hasPrefix("/") ? pathAndQuery : "/" + pathAndQuery)
    }

    static func escapingQuotesInQuery(_ url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return url }
        let query = url[question...]
        return String(url[..<question]) + query.replacingAll("'", with: "%27")
    }
}

/// A URL split around its authority's port, keeping every other byte (case, credentials) as given.
struct URLParts {
    var scheme: Substring
    var userInfo: Substring?
    var host: Substring
    var port: Substring?
    var rest: Substring

    init?(_ url: String) {
        // Every delimiter is ASCII: searching the UTF-8 view skips grapheme breaking entirely.
        let bytes = url.utf8
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), url[colon...].utf8.starts(with: "://".utf8)
        else { return nil }
        scheme = url[..<colon]
        let afterScheme = url[bytes.index(colon, offsetBy: 3)...]
        let authorityEnd = afterScheme.utf8.firstIndex(where: Self.endsAuthority) ?? afterScheme.endIndex
        var authority = afterScheme[..<authorityEnd]
        rest = afterScheme[authorityEnd...]
        if let at = authority.utf8.lastIndex(of: UInt8(ascii: "@")) {
            userInfo = authority[..<at]
            authority = authority[authority.utf8.index(after: at)...]
        }
        // A port follows the last ':' unless that colon is inside an IPv6 literal's brackets.
        if let colon = authority.utf8.lastIndex(of: UInt8(ascii: ":")),
            !authority[colon...].utf8.contains(UInt8(ascii: "]"))
        {
            host = authority[..<colon]
            port = authority[authority.utf8.index(after: colon)...]
        } else {
            host = authority
        }
    }

    private static func endsAuthority(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
    }

    private func build(port: Substring?) -> String {
        var url = String(scheme) + "://"
        if let userInfo { url += userInfo + "@" }
        url += host
        if let port { url += ":" + port }
        return url + rest
    }

    /// The URL with no port.
    var withoutPort: String { build(port: nil) }

    /// The URL with its port, or the scheme's default port when it has none.
    var withDefaultPort: String {
        build(port: port ?? (scheme.lowercased() == "https" ? "443" : "80"))
    }
}

extension Substring {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var output = ""
        for character in self {
            if character == target { output += replacement } else { output.append(character) }
        }
        return output
    }
}

/// Twilio's request signature (`X-Twilio-Signature`), computed and checked exactly as Twilio's own libraries do.
///
/// The signed string is the full URL followed by each POST parameter's name and value, names sorted, the values of
/// a repeated name sorted and de-duplicated; the signature is base64(HMAC-SHA1(authToken, that string)).
/// Validation accepts the URL as given, with its port removed and with the scheme's default port added (Twilio's
/// backend is not consistent about ports), and with `'` in the query escaped as `%27` (as twilio-node normalises).
/// JSON bodies are signed through a `bodySHA256` query parameter holding the body's hex SHA-256.
public enum TwilioSignature {
    /// The signature of `url` with form `parameters`.
    public static func compute(
        authToken: String, url: String, parameters: [(name: String, value: String)]
    ) -> String {
        signature(key: Array(authToken.utf8), url: url, signedParameters: signedParameters(parameters))
    }

    private static func signature(key: [UInt8], url: String, signedParameters: [UInt8]) -> String {
        String(decoding: signatureBytes(key: key, url: url, signedParameters: signedParameters), as: UTF8.self)
    }

    /// The signature's text as UTF-8 bytes.
    private static func signatureBytes(key: [UInt8], url: String, signedParameters: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(url.utf8.count + signedParameters.count)
        bytes.append(contentsOf: url.utf8)
        bytes.append(contentsOf: signedParameters)
        return Base64.encodedBytes(HMAC.sha1(key: key, data: bytes))
    }

    /// True when `signature` matches `url` and the form `parameters` under `authToken`, for any accepted URL variant.
    /// Comparison is constant-time; a missing signature never validates.
    ///
    /// The URL as given is tried first and nearly always matches: the other variants (``urlVariants(_:)``, string
    /// work that cost more than the HMAC) are built only when it does not. Which variant matched is no secret — each
    /// is public information about the URL —, so stopping at the first match tells an attacker nothing; what must not
    /// leak, how close a forged signature came, stays hidden by the constant-time comparison of each candidate.
    public static func isValid(
        signature: String?, authToken: String, url: String, parameters: [(name: String, value: String)]
    ) -> Bool {
        guard let signature, !signature.isEmpty else { return false }
        let given = Array(signature.utf8)
        let key = Array(authToken.utf8)
        // The parameters' part of the signed string is the same for every URL variant: sorted once.
        let signed = signedParameters(parameters)
        func matches(_ candidate: String) -> Bool {
            constantTimeEqual(given, signatureBytes(key: key, url: candidate, signedParameters: signed))
        }
        if matches(url) { return true }
        return urlVariants(url).dropFirst().contains(where: matches)
    }

    /// True when `signature` matches `url` (which carries `bodySHA256`) and `body` hashes to that value.
    public static func isValid(signature: String?, authToken: String, url: String, body: [UInt8]) -> Bool {
        guard let expectedHash = queryValue(named: "bodySHA256", in: url) else { return false }
        let signed = isValid(signature: signature, authToken: authToken, url: url, parameters: [])
        let hashMatches = constantTimeEqual(Array(SHA256.hexHash(body).utf8), Array(expectedHash.lowercased().utf8))
        return signed && hashMatches
    }

    /// The URL Twilio would sign for a JSON `body` posted to `url`: `bodySHA256=<hex>` appended to the query.
    public static func urlWithBodyHash(_ url: String, body: [UInt8]) -> String {
        url + (url.contains("?") ? "&" : "?") + "bodySHA256=" + SHA256.hexHash(body)
    }

    static func signedBytes(url: String, parameters: [(name: String, value: String)]) -> [UInt8] {
        Array(url.utf8) + signedParameters(parameters)
    }

    /// Each parameter's name then value, ordered by name and, for a repeated name, by value, identical pairs once.
    ///
    /// Sorting the (name, value) pairs by their UTF-8 bytes gives exactly that order (UTF-8 byte order is code point
    /// order, which is how Python and Node sort the names), with no dictionary or `String` comparison.
    static func signedParameters(_ parameters: [(name: String, value: String)]) -> [UInt8] {
        // Every name and value copied once, back to back, and the pairs sorted as ranges of that one buffer: a
        // copy per name and per value, or comparing `String.UTF8View`s, each cost more than the rest together.
        var all: [UInt8] = []
        all.reserveCapacity(parameters.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count })
        var pairs: [(name: Range<Int>, value: Range<Int>)] = []
        pairs.reserveCapacity(parameters.count)
        for parameter in parameters {
            let nameStart = all.count
            all.append(contentsOf: parameter.name.utf8)
            let valueStart = all.count
            all.append(contentsOf: parameter.value.utf8)
            pairs.append((nameStart..<valueStart, valueStart..<all.count))
        }
        return all.withUnsafeBufferPointer { bytes in
            /// Byte order of two ranges of `bytes` (a prefix sorts first): negative, zero or positive.
            func compare(_ lhs: Range<Int>, _ rhs: Range<Int>) -> Int {
                for offset in 0..<min(lhs.count, rhs.count) {
                    let left = bytes[lhs.lowerBound + offset]
                    let right = bytes[rhs.lowerBound + offset]
                    if left != right { return Int(left) - Int(right) }
                }
                return lhs.count - rhs.count
            }
            pairs.sort { lhs, rhs in
                let byName = compare(lhs.name, rhs.name)
                return byName != 0 ? byName < 0 : compare(lhs.value, rhs.value) < 0
            }
            var signed: [UInt8] = []
            signed.reserveCapacity(bytes.count)
            var previous: (name: Range<Int>, value: Range<Int>)?
            for pair in pairs {
                if let previous, compare(previous.name, pair.name) == 0, compare(previous.value, pair.value) == 0 {
                    continue
                }
                signed.append(contentsOf: bytes[pair.name])
                signed.append(contentsOf: bytes[pair.value])
                previous = pair
            }
            return signed
        }
    }

    static func queryValue(named name: String, in url: String) -> String? {
        guard let question = url.firstIndex(of: "?") else { return nil }
        var query = url[url.index(after: question)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        for field in query.split(separator: "&") {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0] == name { return parts.count > 1 ? FormURLEncoding.percentDecode(parts[1].utf8) : "" }
        }
        return nil
    }
}

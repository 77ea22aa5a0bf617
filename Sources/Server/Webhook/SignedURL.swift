import HTTPTypes
import Hummingbird

/// The URL Twilio signed for a request: `PUBLIC_URL` + path + query when configured, otherwise rebuilt from
/// `X-Forwarded-Proto`/`X-Forwarded-Host` or `Host` (the classic proxy pitfall: behind TLS termination the
/// request arrives as http, but Twilio signed https).
enum SignedURL {
    static func of(_ request: Request, publicURL: String?) -> String {
        let pathAndQuery = request.uri.string
        if let publicURL { return publicURL + pathAndQuery }
        let scheme = firstValue(request.headers[HTTPField.Name.forwardedProto]) ?? "http"
        let host =
            firstValue(request.headers[HTTPField.Name.forwardedHost]) ?? request.head.authority ?? "localhost"
        return "\(scheme)://\(host)\(pathAndQuery)"
    }

    /// Proxies may append: `https, http` → `https`.
    private static func firstValue(_ header: String?) -> String? {
        guard let first = header?.split(separator: ",", maxSplits: 1).first else { return nil }
        let trimmed = first.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
        return trimmed.isEmpty ? nil : String(trimmed)
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-Proto`.
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto") ?? .via
    /// `X-Forwarded-Host`.
    static let forwardedHost = HTTPField.Name("X-Forwarded-Host") ?? .via
    /// `X-Twilio-Signature`.
    static let twilioSignature = HTTPField.Name("X-Twilio-Signature") ?? .via
}

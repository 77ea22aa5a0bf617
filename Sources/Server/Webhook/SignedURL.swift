import HTTPTypes
import Hummingbird
import NIOCore

/// The URL Twilio signed for a request: `PUBLIC_URL` + path + query when configured, otherwise rebuilt from
/// `X-Forwarded-Proto`/`X-Forwarded-Host` or `Host` (the classic proxy pitfall: behind TLS termination the
/// request arrives as http, but Twilio signed https).
///
/// The forwarded headers count only when the peer is a trusted proxy (``TrustedProxies``, `TRUSTED_PROXIES`):
/// from anyone else the URL is `http://` + `Host`, whatever the headers say.
enum SignedURL {
    static func of(
        _ request: Request, publicURL: String?, peer: SocketAddress?, trustedProxies: TrustedProxies
    ) -> String {
        let pathAndQuery = request.uri.string
        if let publicURL { return publicURL + pathAndQuery }
        let authority = request.head.authority ?? "localhost"
        guard isTrusted(peer, by: trustedProxies) else { return "http://\(authority)\(pathAndQuery)" }
        let scheme = firstValue(request.headers[HTTPField.Name.forwardedProto]) ?? "http"
        let host = firstValue(request.headers[HTTPField.Name.forwardedHost]) ?? authority
        return "\(scheme)://\(host)\(pathAndQuery)"
    }

    /// A TCP peer inside a trusted block; a Unix-socket peer is on this machine and trusted; no peer is not.
    static func isTrusted(_ peer: SocketAddress?, by trustedProxies: TrustedProxies) -> Bool {
        switch peer {
        case .unixDomainSocket: true
        case .v4, .v6: peer?.ipAddress.map(trustedProxies.trusts(ipAddress:)) ?? false
        case nil: false
        }
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
    /// `I-Twilio-Idempotency-Token`: the same on Twilio's retries of one delivery; the request id of its logs.
    static let twilioIdempotencyToken = HTTPField.Name("I-Twilio-Idempotency-Token") ?? .via
    /// `X-Twilio-Signature`.
    static let twilioSignature = HTTPField.Name("X-Twilio-Signature") ?? .via
}

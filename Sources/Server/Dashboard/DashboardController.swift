import HTTPTypes
import Hummingbird

/// `GET /dashboard`: the staff web page, one self-contained HTML document (inline CSS and JS, no CDN). It asks
/// for a token (kept in `sessionStorage`), then talks to `/api/*` and `/ws` like any other client.
struct DashboardController: Sendable {
    func addRoutes(to router: Router<some RequestContext>) {
        router.get("dashboard") { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                    .contentSecurityPolicy:
                        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
    }
}

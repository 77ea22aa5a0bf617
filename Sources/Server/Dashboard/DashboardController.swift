import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `GET /dashboard` and `GET /dashboard/assets/{file}`: the staff web page (docs/dashboard.md), plain static
/// files served with ETags. Browsers revalidate (`Cache-Control: no-cache`) and get `304 Not Modified` while a
/// file is unchanged, so a new release shows at once and an unchanged one costs one small request. A strict
/// Content-Security-Policy allows only this server's own scripts, styles and WebSocket.
struct DashboardController: Sendable {
    let assets: DashboardAssets?

    /// Loads the bundled files; without them the page answers 500 and says why, the API keeps working.
    init(logger: Logger = Logger(label: "sufra.dashboard")) {
        do {
            assets = try DashboardAssets.bundled()
        } catch {
            logger.error("dashboard files not found in the Server module's resources", metadata: ["error": "\(error)"])
            assets = nil
        }
    }

    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    static let securityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("dashboard") { request, _ in serve("index.html", request) }
        router.get("dashboard/assets/:file") { request, context in
            serve(context.parameters.get("file") ?? "", request)
        }
    }

    func serve(_ name: String, _ request: Request) -> Response {
        guard let assets else {
            return Response(
                status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "dashboard files are missing from this build\n")))
        }
        guard let asset = assets.files[name] else { return Response(status: .notFound) }
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "no-cache",
            Self.contentTypeOptions: "nosniff",
        ]
        if name == "index.html" {
            headers[.contentSecurityPolicy] = Self.securityPolicy
            headers[Self.referrerPolicy] = "no-referrer"
        }
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag })
        {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}

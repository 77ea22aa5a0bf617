import Foundation
import Infra

/// The dashboard's static files (HTML, CSS, ES modules) from the Server module's resources (`Dashboard/Static`),
/// read once into memory with their content type and a strong ETag (a SHA-256 of the bytes). There is no build
/// step and nothing comes from a CDN: the page works on a restaurant's network without the internet.
struct DashboardAssets: Sendable {
    /// One file.
    struct Asset: Sendable {
        let bytes: [UInt8]
        let contentType: String
        /// Quoted, as the `ETag` header carries it.
        let etag: String
    }

    /// The files by name (the directory is flat: `index.html`, `app.js`, …).
    let files: [String: Asset]

    /// Reads every file of `directory`.
    init(directory: URL) throws {
        var files: [String: Asset] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where !name.hasPrefix(".") {
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
            files[name] = Asset(
                bytes: bytes, contentType: Self.contentType(of: name),
                etag: "\"" + SHA256.hexHash(bytes).prefix(32) + "\"")
        }
        self.files = files
    }

    /// The files bundled with the Server module.
    static func bundled() throws -> DashboardAssets {
        guard let directory = Bundle.module.url(forResource: "Static", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try DashboardAssets(directory: directory)
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Server

/// `GET /dashboard`: static files from the Server module's resources, with ETags and a strict CSP.
@Suite(.serialized) struct DashboardPageTests {
    @Test func pageAndAssetsAreServedWithETagsAndRevalidate() async throws {
        try await SufraTestApp.run { _, client, _ in
            let page = try await client.execute(uri: "/dashboard", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.cacheControl] == "no-cache")
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(String(buffer: page.body).contains(#"<script type="module" src="/dashboard/assets/app.js">"#))
            let etag = try #require(page.headers[.eTag])

            let again = try await client.execute(uri: "/dashboard", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            let stale = try await client.execute(uri: "/dashboard", method: .get, headers: [.ifNoneMatch: "\"old\""])
            #expect(stale.status == .ok)

            for (file, type) in [
                ("app.js", "text/javascript"), ("dashboard.css", "text/css"), ("i18n.js", "text/javascript"),
            ] {
                let asset = try await client.execute(uri: "/dashboard/assets/\(file)", method: .get)
                #expect(asset.status == .ok, "\(file)")
                #expect(asset.headers[.contentType]?.hasPrefix(type) == true, "\(file)")
                #expect(asset.headers[.eTag] != nil && asset.headers[.eTag] != etag, "\(file)")
            }
            #expect(try await client.execute(uri: "/dashboard/assets/nope.js", method: .get).status == .notFound)
            #expect(
                try await client.execute(uri: "/dashboard/assets/..%2FPackage.swift", method: .get).status == .notFound)
        }
    }

    /// Data from the server is inserted as text: no HTML sinks anywhere in the page's code.
    @Test func pageNeverInsertsHTML() throws {
        let assets = try DashboardAssets.bundled()
        #expect(assets.files.keys.contains("index.html") && assets.files.keys.contains("app.js"))
        for (name, asset) in assets.files where name.hasSuffix(".js") {
            let code = String(decoding: asset.bytes, as: UTF8.self)
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
                #expect(!code.contains(sink), "\(name) uses \(sink)")
            }
        }
    }
}

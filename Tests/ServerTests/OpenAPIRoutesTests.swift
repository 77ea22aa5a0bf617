import Foundation
import Hummingbird
import Logging
import SufraDev
import Testing

@testable import Server

/// `docs/openapi.yaml` against the router the app really builds: every registered route is documented and every
/// documented operation is registered. Building the router connects to nothing (the pools only connect when their
/// services run), so these tests need neither PostgreSQL nor Redis.
@Suite struct OpenAPIRoutesTests {
    /// A configuration `serve` accepts; the database is never reached.
    static func configuration(adminToken: String? = SufraTestApp.adminToken) throws -> SufraConfiguration {
        var environment = [
            "DATABASE_URL": "postgres://sufra@127.0.0.1:1/unreached", "PUBLIC_URL": SufraTestApp.publicURL,
            "MASTER_KEY": SufraTestApp.masterKey, "JWT_SECRET": StaffAuth.secret,
        ]
        environment["ADMIN_TOKEN"] = adminToken
        return try SufraConfiguration(environment: environment)
    }

    /// The method and path of every route of the app built with `options`, in the document's notation
    /// (Hummingbird renders a `:id` capture as `{id}`, as OpenAPI path templates are written).
    static func routes(
        adminToken: String? = SufraTestApp.adminToken, options: SufraApplication.Options = .init()
    ) throws -> Set<OpenAPIDocument.Operation> {
        let application = try SufraApplication(
            configuration: try configuration(adminToken: adminToken), options: options,
            logger: Logger(label: "sufra.test.openapi"))
        return Set(
            application.router().routes.map {
                OpenAPIDocument.Operation(method: $0.method.rawValue, path: $0.path.description)
            })
    }

    @Test func everyServedRouteIsDocumentedAndNothingElse() throws {
        let document = try OpenAPIDocument.repositoryDocument()
        let routes = try Self.routes()
        #expect(
            routes.subtracting(document.served).sorted() == [],
            "routes of `sufra serve` missing from docs/openapi.yaml (or documented with x-sandbox)")
        #expect(
            document.served.subtracting(routes).sorted() == [],
            "operations in docs/openapi.yaml that `sufra serve` does not register")
        // The scan really found the document: the webhook and a templated staff route at least.
        #expect(routes.contains(.init(method: "POST", path: "/whatsapp/webhook")))
        #expect(routes.contains(.init(method: "PATCH", path: "/api/menu/items/{itemId}")))
    }

    @Test func sandboxRoutesAreTheOnesMarkedXSandbox() throws {
        let document = try OpenAPIDocument.repositoryDocument()
        var options = SufraApplication.Options()
        options.mounted = [TwilioSandbox()]
        let routes = try Self.routes(options: options)
        let sandboxOnly = routes.subtracting(try Self.routes())
        #expect(!sandboxOnly.isEmpty)
        #expect(sandboxOnly.sorted() == document.sandbox.sorted(), "x-sandbox: true must mark exactly the sandbox")
        #expect(routes.sorted() == document.all.sorted())
    }

    @Test func adminRoutesDisappearWithoutAdminToken() throws {
        let withToken = try Self.routes()
        let withoutToken = try Self.routes(adminToken: nil)
        let adminOnly = withToken.subtracting(withoutToken)
        #expect(!adminOnly.isEmpty)
        #expect(adminOnly.allSatisfy { $0.path.hasPrefix("/admin/") })
        #expect(withToken.filter { $0.path.hasPrefix("/admin/") } == adminOnly)
    }

    @Test func scanReadsOnlyPathAndOperationKeys() throws {
        let text = """
            openapi: 3.1.0
            # a comment
            paths:
              /a/{id}:
                parameters:
                  - name: id
                get:
                  responses:
                    "200":
                      description: get: not an operation
                delete:
                  summary: x
              /sandbox/b:
                post:
                  summary: y
                x-sandbox: true
            components:
              schemas:
                get:
                  type: object
            """
        let document = try OpenAPIDocument.parse(text)
        #expect(document.served == [.init(method: "GET", path: "/a/{id}"), .init(method: "DELETE", path: "/a/{id}")])
        #expect(document.sandbox == [.init(method: "POST", path: "/sandbox/b")])
        #expect(throws: OpenAPIDocument.ReadError.self) {
            try OpenAPIDocument.parse("paths:\n  /a:\n    get:\n  /a:\n    post:\n")
        }
        #expect(throws: OpenAPIDocument.ReadError.self) { try OpenAPIDocument.parse("paths: {}\n") }
    }
}

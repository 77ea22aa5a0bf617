import Foundation

/// The operations `docs/openapi.yaml` documents, read with a line scan instead of a YAML parser (the test target
/// takes no new dependency). The scan relies on the layout the document promises in its header:
/// - `paths:` starts at column 0 and ends at the next key at column 0;
/// - each path is a key indented by exactly two spaces (`  /admin/restaurants/{id}:`);
/// - each operation is an HTTP method key indented by exactly four spaces (`    get:`);
/// - a path item that exists only with the Twilio sandbox carries `    x-sandbox: true` at four spaces.
/// Anything deeper (parameters, responses, schemas) is ignored. `scripts/check-openapi` validates the same file
/// with a real YAML parser and the OpenAPI 3.1 schema, so a layout drift that fools this scan still fails CI.
struct OpenAPIDocument: Equatable {
    /// One documented operation: `GET /api/orders/{id}`.
    struct Operation: Hashable, Comparable, CustomStringConvertible {
        var method: String
        var path: String

        var description: String { "\(method) \(path)" }

        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.path, lhs.method) < (rhs.path, rhs.method) }
    }

    /// Why the document could not be read.
    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    /// Operations `sufra serve` has (with `ADMIN_TOKEN` set).
    var served: Set<Operation> = []
    /// Operations that exist only when the Twilio sandbox is mounted (`sufra dev`).
    var sandbox: Set<Operation> = []

    /// Every documented operation.
    var all: Set<Operation> { served.union(sandbox) }

    private static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// The repository's `docs/openapi.yaml`, found from this source file's location.
    static func repositoryDocument() throws -> OpenAPIDocument {
        // `#filePath` inside the body is this file (as a default argument it would be the caller's).
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // ServerTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
        let url = root.appendingPathComponent("docs/openapi.yaml")
        return try parse(try String(contentsOf: url, encoding: .utf8))
    }

    /// Scans `text` (see the type's comment for the layout it expects).
    static func parse(_ text: String) throws -> OpenAPIDocument {
        var document = OpenAPIDocument()
        var inPaths = false
        var path: String?
        var operations: [Operation] = []
        var isSandbox = false
        func closePath() {
            if isSandbox { document.sandbox.formUnion(operations) } else { document.served.formUnion(operations) }
            path = nil
            operations = []
            isSandbox = false
        }
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.first == "#" { continue }
            let indent = line.prefix { $0 == " " }.count
            let content = line.dropFirst(indent)
            if indent == 0 {
                closePath()
                inPaths = content == "paths:"
                continue
            }
            guard inPaths else { continue }
            if indent == 2 {
                closePath()
                guard content.first == "/", content.hasSuffix(":") else {
                    throw ReadError(description: "unexpected key under paths: \(content)")
                }
                let key = String(content.dropLast())
                guard !document.all.contains(where: { $0.path == key }) else {
                    throw ReadError(description: "path documented twice: \(key)")
                }
                path = key
            } else if indent == 4, let path {
                if content == "x-sandbox: true" {
                    isSandbox = true
                } else if content.hasSuffix(":"), methods.contains(String(content.dropLast())) {
                    operations.append(Operation(method: content.dropLast().uppercased(), path: path))
                }
            }
        }
        closePath()
        guard !document.all.isEmpty else { throw ReadError(description: "no operations under paths:") }
        return document
    }
}

// swift-tools-version: 6.1
import PackageDescription

/// Release builds optimize across Sufra's own modules: the hot path crosses Runtime → Actors → Infra → Server, and
/// without it the generic registry and the value types passed between them are used through unspecialized generic
/// code and runtime metadata lookups (measured: BENCHMARKS.md, "Server CPU per webhook").
let crossModuleOptimization: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))
]

/// The server allocates with tcmalloc (Debian: libtcmalloc-minimal4), linked by its file name because the runtime
/// package ships no unversioned `.so`. A webhook's values are often freed on another thread than the one that
/// allocated them (event loop, executor pool, database I/O thread), and glibc then locks the owning arena: its
/// allocator was ~10 % of the server's CPU at 128 connections, with 0.75 `futex` calls per webhook (0.24 with
/// tcmalloc); at customer pace tcmalloc takes 2–9 % off the server's CPU per message (BENCHMARKS.md, "Session of
/// 2026-12-02, evening").
let tcmalloc: [LinkerSetting] = [.linkedLibrary(":libtcmalloc_minimal.so.4", .when(platforms: [.linux]))]

/// Sufra: a multi-tenant WhatsApp ordering bot. See README.md and docs/ for the architecture.
///
/// Imports point one way: `SufraDev → Server → Infra → Actors → Runtime`. Runtime and Actors touch no I/O library.
let package = Package(
    name: "sufra",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sufra", targets: ["sufra"]),
        .library(name: "Runtime", targets: ["Runtime"]),
        .library(name: "Actors", targets: ["Actors"]),
        .library(name: "Infra", targets: ["Infra"]),
        .library(name: "Server", targets: ["Server"]),
        .library(name: "SufraDev", targets: ["SufraDev"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // MARK: System libraries (Debian: libpq-dev, libhiredis-dev, libcurl4-openssl-dev, libssl-dev)
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        /// epoll and eventfd from the Linux headers (Glibc's module map does not export them).
        .systemLibrary(name: "CEpoll"),

        // MARK: Modules
        .target(
            name: "Runtime",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: crossModuleOptimization
        ),
        .target(
            name: "Actors",
            dependencies: [
                "Runtime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: crossModuleOptimization
        ),
        .target(
            name: "Infra",
            dependencies: [
                "Runtime", "Actors", "CEpoll", "CLibPQ", "CHiredis", "CCurl", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: crossModuleOptimization
        ),
        .target(
            name: "Server",
            dependencies: [
                "Runtime", "Actors", "Infra",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                // The dashboard's frames, written with one shared buffer per event (LiveEventHub+WebSocket.swift).
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The dashboard page: plain HTML, CSS and ES modules, no build step (docs/dashboard.md).
            resources: [.copy("Dashboard/Static")],
            swiftSettings: crossModuleOptimization
        ),
        /// The development tools the executable links and the server library must not carry: the Twilio sandbox
        /// (a stand-in for Twilio's Messages API used by the tests, the load harness and `sufra dev`), `sufra dev`
        /// and `sufra chat`.
        .target(
            name: "SufraDev",
            dependencies: [
                "Server", "Infra",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .executableTarget(
            name: "sufra",
            dependencies: [
                "Server", "SufraDev", "Infra",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: tcmalloc
        ),

        // MARK: Tests (integration tests read DATABASE_URL / REDIS_URL from scripts/services)
        /// What several test targets share (the local services' addresses and reachability check, `eventually`);
        /// only test targets depend on it.
        .target(name: "SufraTestSupport", path: "Tests/SufraTestSupport"),
        .testTarget(
            name: "RuntimeTests",
            dependencies: [
                "Runtime", .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "ActorsTests",
            dependencies: ["Actors", "Runtime", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "InfraTests",
            dependencies: [
                "Infra", "Actors", "Runtime", "SufraTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "SufraDev", "Infra", "Actors", "SufraTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

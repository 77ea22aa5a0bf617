// swift-tools-version: 6.1
import PackageDescription

/// Sufra's benchmarks: micro-benchmarks of the hot paths and the load harness (1000 concurrent customers).
/// Run in release: `swift run -c release --package-path Benchmarks loadtest --help`.
let package = Package(
    name: "SufraBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "sufra", path: ".."),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // The harness's own HTTP/1.1 client for its webhooks and status callbacks (the server's NIO, no new package).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        // The fan-out scenario's dashboards: WebSocket clients (the server's own WebSocket library).
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        /// Messages/s through the actor registry, activation cost, memory per idle entity (issue 5).
        .executableTarget(
            name: "RuntimeBenchmarks",
            dependencies: [.product(name: "Runtime", package: "sufra")]
        ),
        /// Memory per resident ConversationActor: 10,000 conversations with realistic state (in-memory store).
        .executableTarget(
            name: "ConversationMemory",
            dependencies: [
                .product(name: "Actors", package: "sufra"),
                .product(name: "Runtime", package: "sufra"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// PostgreSQL write-path throughput: one INSERT per statement vs pipelined vs multi-row (docs/postgres.md).
        .executableTarget(
            name: "pgwrite",
            dependencies: [.product(name: "Infra", package: "sufra")]
        ),
        .executableTarget(
            name: "loadtest",
            dependencies: [
                .product(name: "Server", package: "sufra"),
                .product(name: "SufraDev", package: "sufra"),
                .product(name: "Infra", package: "sufra"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.0
import PackageDescription

/// One settings array for every Swift target (as swift-log does): Swift 6 mode, strict concurrency.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Proctor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "proctor", targets: ["proctor"]),
        .executable(name: "proctor-serve", targets: ["proctor-serve"]),
        .library(name: "Sandbox", targets: ["Sandbox"]),
        .library(name: "Images", targets: ["Images"]),
        .library(name: "Grading", targets: ["Grading"]),
        .library(name: "Formats", targets: ["Formats"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "ProctorServer", targets: ["ProctorServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSeccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(
            name: "CSandbox",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .target(
            name: "Sandbox",
            dependencies: [
                "CSandbox", "CSeccomp",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // Images: recipes built into layered root file systems (debootstrap, then each step in
        // a sandbox), the store that caches their layers, snapshots of a sandbox's writes.
        .target(
            name: "Images",
            dependencies: [
                "Sandbox", "CSandbox",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Grading",
            dependencies: [
                "Sandbox", "CSandbox", "CLibXML2", "Images",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Problem formats loaded into Grading's model: Kattis packages (load, verify),
        // HumanEval and EvalPlus datasets (eval, its fork server), gzip'd JSON lines.
        .target(
            name: "Formats",
            dependencies: [
                "Grading", "Sandbox",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The fork server's Python, embedded in the binary (ForkServer.script): an installed
            // `proctor` needs no resource bundle beside it.
            resources: [.embedInCode("Eval/fork_server.py")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Reports",
            dependencies: ["Grading", "Formats", "Sandbox", "CLibXML2"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ProctorServer",
            dependencies: [
                "Sandbox", "Grading", "Reports", "Images",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // The store of a cluster (`--database postgres://...`); SQLite stays the default.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // `proctor exec` and the argument types every command line shares, without
        // ArgumentParser (proctor-grade's ExecCommand parses the cases the front does not).
        .target(
            name: "ExecCLI",
            dependencies: [
                "Sandbox",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // Three executables in one folder, each linking only what its commands need:
        // `proctor` (plain exec and --version; no Foundation at all: neither Sandbox nor
        // ExecCLI links it) execs `proctor-grade` (check, run, verify, eval, help, exec
        // with --image or anything else the front does not parse) or `proctor-serve`.
        .executableTarget(
            name: "proctor",
            dependencies: [
                "ExecCLI"
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "proctor-grade",
            dependencies: [
                "ExecCLI", "Sandbox", "Grading", "Formats", "Reports", "Images",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "proctor-serve",
            dependencies: [
                "Sandbox", "Grading", "ProctorServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SandboxTests",
            dependencies: ["Sandbox"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ImagesTests",
            dependencies: [
                "Images", "Sandbox", "Grading", "ProctorServer", "proctor", "proctor-grade",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProctorCLITests",
            dependencies: ["proctor", "proctor-grade", "proctor-serve"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GradingTests",
            dependencies: ["Grading", "Sandbox", "proctor", "proctor-grade", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FormatsTests",
            dependencies: ["Formats", "Grading", "Reports", "Sandbox"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProctorServerTests",
            dependencies: [
                "ProctorServer", "Sandbox", "Grading", "proctor", "proctor-grade", "proctor-serve",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReportsTests",
            dependencies: ["Reports", "Grading", "Sandbox"],
            swiftSettings: swiftSettings
        ),
    ]
)

// Helpers every test target shares (the host's facts, fixtures, the proctor binary, a
// sandbox per test): one target, which each test target depends on.
package.targets.append(
    .target(
        name: "TestSupport",
        dependencies: ["Sandbox", .product(name: "SystemPackage", package: "swift-system")],
        path: "Tests/TestSupport",
        swiftSettings: swiftSettings
    )
)
for target in package.targets where target.type == .test {
    target.dependencies.append("TestSupport")
}

// `make docs`: the DocC plugin (`swift package generate-documentation`), built only when
// the documentation is.
package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"))

// swift-tools-version:6.0
import Foundation
import PackageDescription

/// The library benchmark (`make bench` builds it): a package of its own, so that the main
/// package's graph holds only what ships. It uses the repository's package by path, and
/// SwiftPM names a path dependency after its folder, which differs between clones ("main",
/// "proctor", a CI checkout's name): the name is read from where this file is.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent

let package = Package(
    name: "ProctorBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "proctor-bench",
            dependencies: [.product(name: "Sandbox", package: repository)],
            path: "proctor-bench",
            swiftSettings: [.swiftLanguageMode(.v6), .enableUpcomingFeature("ExistentialAny")]
        )
    ]
)

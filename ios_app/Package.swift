// swift-tools-version:5.9
// BenchCore: the iOS runner's pure-Swift part (the benchctl contract as Codable types, the timing
// loop over a Predictor, statistics, thermal gates). The app target (Core ML) is described in
// project.yml for XcodeGen; see README.md.
import PackageDescription

let package = Package(
    name: "BenchCore",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "BenchCore", targets: ["BenchCore"]),
    ],
    targets: [
        .target(name: "BenchCore", path: "Sources/BenchCore"),
        .testTarget(name: "BenchCoreTests", dependencies: ["BenchCore"], path: "Tests/BenchCoreTests"),
    ]
)

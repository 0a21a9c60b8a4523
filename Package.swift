// swift-tools-version: 6.0
import PackageDescription

// Layering (../shared/DESIGN.md): imports point down only.
//   latent (LatentCommand) → Latent → NeuralNetworks → Tensors → CLatentKernels
let package = Package(
    name: "Latent",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Latent", targets: ["Latent"]),
        .executable(name: "latent", targets: ["LatentCommand"]),
        .executable(name: "latent-benchmarks", targets: ["LatentBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "CLatentKernels",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        .target(
            name: "Tensors",
            dependencies: ["CLatentKernels"],
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS]))]
        ),
        .target(name: "NeuralNetworks", dependencies: ["Tensors"]),
        .target(name: "Latent", dependencies: ["Tensors", "NeuralNetworks"]),
        .executableTarget(
            name: "LatentCommand",
            dependencies: [
                "Latent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "LatentBenchmarks",
            dependencies: ["Latent", "CLatentKernels"],
            path: "Benchmarks/LatentBenchmarks"
        ),
        .target(name: "TestSupport", dependencies: ["Tensors"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "CLatentKernels", "TestSupport"]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "Tensors", "TestSupport"]),
        .testTarget(name: "LatentTests", dependencies: ["Latent"]),
    ]
)

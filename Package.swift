// swift-tools-version: 6.1
import PackageDescription

// Layering: imports point down only.
//   latent (LatentCommand) → Exploration (the latent space in the browser: an HTTP server on Hummingbird) → Latent → Figures → Autoencoders → {DataFormats, DistributionMatching → NeuralNetworks} → {Tensors, Collectives}
//   Neighbourhoods (nearest-neighbour graphs: exact and NN-descent) → Tensors; Autoencoders builds on it (t-SNE)
//   C by concern: Tensors → CLatentKernels (compute: GEMM, kernels, threads), DataFormats → CLatentText (parsing), Collectives → CLatentMPI
let package = Package(
    name: "Latent",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Latent", targets: ["Latent"]),
        .executable(name: "latent", targets: ["LatentCommand"]),
        .executable(name: "latent-benchmarks", targets: ["LatentBenchmarks"]),
        .executable(name: "latent-fuzz", targets: ["LatentFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        // `swift package generate-documentation` (Scripts/docs.sh, checked in CI).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // `latent explore`'s HTTP server (SwiftNIO underneath); without swift-configuration, which it does not use.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.14.0"),
    ],
    targets: [
        .target(
            name: "CLatentKernels",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        .target(name: "CLatentText"),
        .target(name: "CLatentMPI", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(
            name: "Tensors",
            dependencies: ["CLatentKernels"],
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS]))]
        ),
        .systemLibrary(name: "CLatentZlib", providers: [.apt(["zlib1g-dev"])]),
        // Sums across processes in a fixed order; MPI is loaded at run time (like the system BLAS).
        .target(name: "Collectives", dependencies: ["CLatentMPI"]),
        .target(name: "NeuralNetworks", dependencies: ["Tensors", "Collectives"]),
        .target(
            name: "DataFormats",
            dependencies: ["Tensors", "CLatentText", "CLatentZlib", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            resources: [.copy("Resources/fashion-mnist-mini"), .copy("Resources/sci-car")]
        ),
        .target(name: "DistributionMatching", dependencies: ["Tensors", "NeuralNetworks"]),
        .target(name: "Neighbourhoods", dependencies: ["Tensors"]),
        .target(name: "Autoencoders", dependencies: ["Tensors", "Collectives", "NeuralNetworks", "DataFormats", "DistributionMatching", "Neighbourhoods"]),
        .target(name: "Figures", dependencies: ["Tensors", "NeuralNetworks", "DataFormats", "Autoencoders", "CLatentZlib"]),
        .target(name: "Latent", dependencies: ["Tensors", "Collectives", "NeuralNetworks", "DataFormats", "DistributionMatching", "Neighbourhoods", "Autoencoders", "Figures"]),
        .target(
            name: "Exploration",
            dependencies: ["Latent", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Page")]
        ),
        .executableTarget(
            name: "LatentCommand",
            dependencies: [
                "Latent",
                "Exploration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "LatentBenchmarks",
            dependencies: ["Latent"],
            path: "Benchmarks/LatentBenchmarks"
        ),
        // libFuzzer harnesses; Fuzz/run.sh builds them with coverage, AddressSanitizer and -DFUZZING.
        .executableTarget(name: "LatentFuzz", dependencies: ["Latent"], path: "Fuzz/LatentFuzz"),
        .target(name: "TestSupport", dependencies: ["Tensors", "Collectives"]),
        // The conformance suite's checks, for the library's methods and for methods written elsewhere.
        .target(name: "MethodConformance", dependencies: ["Latent", "TestSupport"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "CLatentKernels", "TestSupport"]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "Collectives", "Tensors", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DataFormatsTests", dependencies: ["DataFormats", "Tensors", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        // RecordedModels/ is read from the source tree (#filePath) and rewritten there on request: not a bundle resource.
        .testTarget(name: "AutoencodersTests", dependencies: ["Autoencoders", "Collectives", "DataFormats", "DistributionMatching", "NeuralNetworks", "Tensors", "TestSupport",
                                                             "MethodConformance"],
                    exclude: ["RecordedModels"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "Tensors", "DataFormats", "Autoencoders", "CLatentZlib", "TestSupport"],
                    resources: [.copy("Golden")]),
        .testTarget(name: "DistributionMatchingTests", dependencies: ["DistributionMatching", "DataFormats", "NeuralNetworks", "Tensors", "TestSupport"]),
        .testTarget(name: "LatentTests", dependencies: ["Latent", "TestSupport"]),
        .testTarget(name: "NeighbourhoodsTests", dependencies: ["Neighbourhoods", "DataFormats", "Tensors", "TestSupport"]),
        // A method written outside the library's modules, through public API alone (docs/architecture.md).
        .testTarget(name: "ExternalMethodTests", dependencies: ["Latent", "TestSupport", "MethodConformance"]),
        .testTarget(name: "ExplorationTests", dependencies: ["Exploration", "Latent", "TestSupport"]),
        .testTarget(name: "LatentCommandTests", dependencies: ["LatentCommand", "Latent", "Exploration", "TestSupport"]),
    ]
)

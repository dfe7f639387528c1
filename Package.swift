// swift-tools-version:6.0
// Glean: fast batch annotation of large text corpora (ICU tokens and sentences, PCRE2 patterns,
// gazetteer entities), written as annotated JSONL.
//
// Data flow, one module per stage:
//   GleanIO (read, decompress, split lines; write, compress)
//   -> GleanCore (document, spans, JSON decode/encode, UTF-8 repair, offsets, resolution)
//   -> GleanSegment (ICU words + sentences) -> GleanPatterns (PCRE2) -> GleanGazetteer (automaton)
//   -> GleanNames (names without cue words; in-document propagation after resolution)
//   -> Glean (the pipeline: the only module that knows the order of stages) -> glean (the CLI).
import PackageDescription

let package = Package(
    name: "Glean",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Glean", targets: ["Glean"]),
        .executable(name: "glean", targets: ["glean"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C shims. ICU stays behind a C header with no ICU types in it, so that Swift modules
        // that import Foundation (which ships its own ICU headers) never see the system ICU.
        .target(
            name: "CICUShim",
            linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata")]
        ),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        .target(
            name: "CCompression",
            linkerSettings: [.linkedLibrary("z"), .linkedLibrary("zstd")]
        ),

        .target(name: "GleanCore"),
        .target(name: "GleanSegment", dependencies: ["GleanCore", "CICUShim"]),
        .target(name: "GleanPatterns", dependencies: ["GleanCore", "CPCRE2", .product(name: "Yams", package: "Yams")]),
        .target(name: "GleanGazetteer", dependencies: ["GleanCore", "CICUShim"]),
        .target(name: "GleanIO", dependencies: ["GleanCore", "CCompression"]),
        .target(name: "GleanNames", dependencies: ["GleanCore"]),
        .target(
            name: "Glean",
            dependencies: ["GleanCore", "GleanSegment", "GleanPatterns", "GleanGazetteer", "GleanNames", "GleanIO", "CPCRE2"]
        ),
        .executableTarget(
            name: "glean",
            dependencies: ["Glean", "GleanPatterns", "GleanGazetteer", "GleanSegment", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // Shared by the test targets: seeded random generators, the corpora for differential tests.
        .target(name: "GleanTestSupport", path: "Tests/GleanTestSupport"),
        .testTarget(name: "GleanCoreTests", dependencies: ["GleanCore", "GleanTestSupport"]),
        .testTarget(name: "GleanSegmentTests", dependencies: ["GleanSegment", "CICUShim", "GleanTestSupport"]),
        .testTarget(name: "GleanPatternsTests", dependencies: ["GleanPatterns", "GleanSegment", "GleanTestSupport"], exclude: ["Resources"]),
        .testTarget(name: "GleanGazetteerTests", dependencies: ["GleanGazetteer", "GleanSegment", "GleanTestSupport"]),
        .testTarget(name: "GleanIOTests", dependencies: ["GleanIO"]),
        .testTarget(name: "GleanNamesTests", dependencies: ["GleanNames", "GleanSegment", "GleanTestSupport"]),
        .testTarget(name: "GleanTests", dependencies: ["Glean", "GleanTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Glean"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)

import Foundation
import GleanCore

extension PatternSet {
    /// An error loading the default pack.
    public struct DefaultPackError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The default pattern pack: every `*.yaml` in `Models/patterns` (sorted by name), found by
    /// ``ModelsDirectory/locate(containing:environment:)``.
    public static func defaultPack(limits: PatternLimits = PatternLimits()) throws -> PatternSet {
        try PatternSet(files: defaultPackFiles(), limits: limits)
    }

    /// The files of the default pack.
    public static func defaultPackFiles() throws -> [String] {
        guard let models = ModelsDirectory.locate(containing: "patterns") else {
            throw DefaultPackError(description: "no Models/patterns directory found (set \(ModelsDirectory.environmentVariable), or run from the repository or an installed tree)")
        }
        let dir = models.appendingPathComponent("patterns")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        return names.map { dir.appendingPathComponent($0).path }
    }
}

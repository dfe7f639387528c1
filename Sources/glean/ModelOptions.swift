import ArgumentParser
import Foundation
import Glean
import GleanPatterns

/// The options that choose the pattern packs and gazetteers, shared by `annotate` and `bench`.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("patterns"), help: ArgumentHelp("A pattern file (YAML or JSON); repeatable. Replaces the default pack.", valueName: "file"))
    var patternFiles: [String] = []

    @Flag(help: "Do not use the default pattern pack (Models/patterns).")
    var noDefaultPatterns = false

    @Option(help: "Keep only entities with these labels, comma-separated (e.g. DATE,GPE).")
    var labels: String?

    var labelSet: Set<String>? {
        labels.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
    }

    /// The entity stages, in the order they run: patterns, then gazetteers.
    func stages() throws -> [any AnnotationStage] {
        var stages: [any AnnotationStage] = []
        do {
            if !patternFiles.isEmpty {
                stages.append(PatternStage(patterns: try PatternSet(files: patternFiles)))
            } else if !noDefaultPatterns {
                stages.append(PatternStage(patterns: try PatternSet.defaultPack()))
            }
        } catch let error as PatternFileError {
            throw UsageError("\(error)")
        } catch let error as PatternSet.DefaultPackError {
            throw UsageError("\(error)")
        }
        return stages
    }
}

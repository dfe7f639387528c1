import ArgumentParser
import Foundation
import Glean
import GleanGazetteer
import GleanPatterns
import GleanSegment

/// The options that choose the pattern packs and gazetteers, shared by `annotate` and `bench`.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("patterns"), help: ArgumentHelp("A pattern file (YAML or JSON); repeatable. Added to the default pack (see --no-default-patterns).", valueName: "file"))
    var patternFiles: [String] = []

    @Flag(help: "Do not use the default pattern pack (Models/patterns).")
    var noDefaultPatterns = false

    @Option(name: .customLong("gazetteer"), help: ArgumentHelp("A gazetteer: a compiled .glz file (memory-mapped) or a source (.tsv, spaCy patterns .jsonl) compiled in memory; repeatable. Added to the default gazetteer (see --no-default-gazetteer).", valueName: "file"))
    var gazetteerFiles: [String] = []

    @Flag(help: "Do not use the default gazetteer (Models/gazetteers).")
    var noDefaultGazetteer = false

    @Flag(help: "Do not use the default names stage (Models/names): people without a title, names ending in a head word.")
    var noDefaultNames = false

    @Option(name: .customLong("case"), help: "Case mode for gazetteer sources given with --gazetteer: exact, fold or smart (a .glz file keeps its own).")
    var caseMode: CaseMode = .smart

    @Flag(help: "Gazetteer sources given with --gazetteer also match without accents (Zurich = Zürich).")
    var foldAccents = false

    @Option(help: "Keep only entities with these labels, comma-separated (e.g. DATE,GPE).")
    var labels: String?

    var labelSet: Set<String>? {
        labels.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
    }

    /// The library's model selection these options describe.
    var selection: ModelSelection {
        var s = ModelSelection()
        s.patternFiles = patternFiles
        s.includeDefaultPatterns = !noDefaultPatterns
        s.gazetteerFiles = gazetteerFiles
        s.includeDefaultGazetteer = !noDefaultGazetteer
        s.includeDefaultNames = !noDefaultNames
        s.caseMode = caseMode
        s.foldAccents = foldAccents
        return s
    }

    /// The entity stages, in the order they run: patterns, then gazetteers.
    func stages() throws -> [any AnnotationStage] {
        do {
            return try selection.stages()
        } catch let error as ConfigurationError {
            throw UsageError(error.description)
        }
    }
}

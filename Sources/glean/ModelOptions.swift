import ArgumentParser
import Foundation
import Glean
import GleanGazetteer
import GleanPatterns
import GleanSegment

/// The options that choose the pattern packs and gazetteers, shared by `annotate` and `bench`.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("patterns"), help: ArgumentHelp("A pattern file (YAML or JSON); repeatable. Replaces the default pack.", valueName: "file"))
    var patternFiles: [String] = []

    @Flag(help: "Do not use the default pattern pack (Models/patterns).")
    var noDefaultPatterns = false

    @Option(name: .customLong("gazetteer"), help: ArgumentHelp("A gazetteer: a compiled .glz file (memory-mapped) or a source (.tsv, spaCy patterns .jsonl) compiled in memory; repeatable. Replaces the default gazetteer.", valueName: "file"))
    var gazetteerFiles: [String] = []

    @Flag(help: "Do not use the default gazetteer (Models/gazetteers).")
    var noDefaultGazetteer = false

    @Option(name: .customLong("case"), help: "Case mode for gazetteer sources given with --gazetteer: exact, fold or smart (a .glz file keeps its own).")
    var caseMode: CaseMode = .smart

    @Flag(help: "Gazetteer sources given with --gazetteer also match without accents (Zurich = Zürich).")
    var foldAccents = false

    @Option(help: "Keep only entities with these labels, comma-separated (e.g. DATE,GPE).")
    var labels: String?

    var labelSet: Set<String>? {
        labels.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
    }

    /// The entity stages, in the order they run: patterns, then gazetteers.
    func stages() throws -> [any AnnotationStage] {
        var stages: [any AnnotationStage] = []
        if let patterns = try patternStage() { stages.append(patterns) }
        do {
            if !gazetteerFiles.isEmpty {
                let options = GazetteerCompileOptions(folding: TextFolding(caseMode: caseMode, foldAccents: foldAccents))
                let gazetteers = try gazetteerFiles.map {
                    try Gazetteer.open(paths: [$0], options: options, tokenize: try gazetteerTokenizer()).0
                }
                stages.append(GazetteerStage(gazetteers))
            } else if !noDefaultGazetteer {
                let identity = "ICU \(ICUVersion.icu)"
                guard let gazetteer = try GazetteerModels.openDefault(tokenizerIdentity: identity, tokenize: try gazetteerTokenizer()) else {
                    throw UsageError("no default gazetteer found (Models/gazetteers; set GLEAN_MODELS) - or pass --no-default-gazetteer")
                }
                stages.append(GazetteerStage([gazetteer]))
            }
        } catch let error as GazetteerFileError {
            throw UsageError(error.description)
        } catch let error as GazetteerSourceError {
            throw UsageError(error.description)
        }
        return stages
    }

    func patternStage() throws -> (any AnnotationStage)? {
        do {
            if !patternFiles.isEmpty { return PatternStage(patterns: try PatternSet(files: patternFiles)) }
            if !noDefaultPatterns { return PatternStage(patterns: try PatternSet.defaultPack()) }
            return nil
        } catch let error as PatternFileError {
            throw UsageError("\(error)")
        } catch let error as PatternSet.DefaultPackError {
            throw UsageError("\(error)")
        }
    }
}

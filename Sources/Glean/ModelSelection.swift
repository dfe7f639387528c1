import Foundation
import GleanCore
import GleanGazetteer
import GleanNames
import GleanPatterns
import GleanSegment

/// Which pattern packs and gazetteers a run uses, and how they are assembled into stages.
///
/// The library and the command line share this one definition, so `Annotator.default()` finds
/// the same entities as `glean annotate`. User files are added to the defaults; the defaults are
/// left out only when asked (`includeDefaultPatterns`, `includeDefaultGazetteer`).
///
/// ```swift
/// var models = ModelSelection()
/// models.patternFiles = ["my-patterns.yaml"]   // added to the default pack
/// let stages = try models.stages()             // [patterns, gazetteer]
/// ```
public struct ModelSelection: Sendable {
    /// Pattern files (YAML or JSON), added to the default pack.
    public var patternFiles: [String] = []
    public var includeDefaultPatterns = true
    /// Gazetteers: compiled `.glz` files or sources (`.tsv`, spaCy `patterns.jsonl`), added to the default.
    public var gazetteerFiles: [String] = []
    public var includeDefaultGazetteer = true
    /// Case mode for gazetteer sources compiled in memory (a `.glz` file keeps its own).
    public var caseMode: CaseMode = .smart
    public var foldAccents = false
    /// The names stage (Models/names): people without a title, names ending in a head word.
    public var includeDefaultNames = true

    public init() {}

    /// The entity stages, in the order they run: patterns, gazetteers, names.
    public func stages() throws -> [any AnnotationStage] {
        var stages: [any AnnotationStage] = []
        if let patterns = try patternStage() { stages.append(patterns) }
        if let gazetteers = try gazetteerStage() { stages.append(gazetteers) }
        if includeDefaultNames { stages.append(try namesStage()) }
        return stages
    }

    /// The pattern stage: the default pack (unless left out) followed by the user's files.
    public func patternStage() throws -> PatternStage? {
        do {
            var files: [String] = []
            if includeDefaultPatterns { files += try PatternSet.defaultPackFiles() }
            files += patternFiles
            if files.isEmpty { return nil }
            return PatternStage(patterns: try PatternSet(files: files, cacheDirectory: CacheDirectory.path()))
        } catch let error as PatternFileError {
            throw ConfigurationError("\(error)")
        } catch let error as PatternSet.DefaultPackError {
            throw ConfigurationError("\(error) - or pass --no-default-patterns")
        }
    }

    /// One gazetteer stage over the default gazetteer (unless left out) and the user's files.
    public func gazetteerStage() throws -> GazetteerStage? {
        do {
            var gazetteers: [Gazetteer] = []
            let tokenize = try Self.gazetteerTokenizer()
            if includeDefaultGazetteer {
                guard let gazetteer = try GazetteerModels.openDefault(tokenizerIdentity: "ICU \(ICUVersion.icu)", tokenize: tokenize) else {
                    throw ConfigurationError("no default gazetteer found (Models/gazetteers; set GLEAN_MODELS) - or pass --no-default-gazetteer")
                }
                gazetteers.append(gazetteer)
            }
            let options = GazetteerCompileOptions(folding: TextFolding(caseMode: caseMode, foldAccents: foldAccents))
            for path in gazetteerFiles {
                gazetteers.append(try Gazetteer.open(paths: [path], options: options, tokenize: tokenize).0)
            }
            return gazetteers.isEmpty ? nil : GazetteerStage(gazetteers)
        } catch let error as GazetteerFileError {
            throw ConfigurationError(error.description)
        } catch let error as GazetteerSourceError {
            throw ConfigurationError(error.description)
        }
    }

    /// The names stage over the default lists (Models/names).
    public func namesStage() throws -> NamesStage {
        do {
            return NamesStage(lexicon: try Lexicon.defaultLexicon())
        } catch let error as NameListError {
            throw ConfigurationError("\(error) - or pass --no-default-names")
        }
    }

    /// The tokenizer that splits gazetteer names into tokens, as documents are split.
    public static func gazetteerTokenizer() throws -> NameTokenizer {
        let segmenter = try Segmenter()
        return { try segmenter.segment(&$0, sentences: false) }
    }
}

extension Annotator {
    /// An annotator with the same stages and models as `glean annotate` with no model options:
    /// the default pattern pack and the default gazetteer, found as ``ModelsDirectory`` says
    /// (beside the binary, `GLEAN_MODELS`, or the working directory's `Models`).
    ///
    /// ```swift
    /// let annotator = try Annotator.default()
    /// let doc = try annotator.annotate("Talks in Geneva on 3 March 2024.")
    /// doc.entities.map(\.label)  // ["GPE", "DATE"]
    /// ```
    public static func `default`(models: ModelSelection = ModelSelection(),
                                 configuration: AnnotatorConfiguration = AnnotatorConfiguration()) throws -> Annotator {
        var config = configuration
        config.stages = try models.stages()
        return try Annotator(configuration: config)
    }
}

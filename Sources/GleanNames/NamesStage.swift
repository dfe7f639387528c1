import GleanCore

/// The names stage: ``NameFinder`` over each document, its candidates in the span group
/// `names` (source `names`). Runs after the pattern and gazetteer stages, whose single-token
/// places it reads for a guard.
///
/// ```swift
/// let stage = try NamesStage(lexicon: Lexicon.defaultLexicon())
/// let worker = try stage.makeWorker()
/// worker.annotate(&doc)          // doc[group: "names"] holds the candidates
/// ```
public struct NamesStage: AnnotationStage {
    public static let group = "names"
    public let finder: NameFinder
    public var name: String { "names" }
    public var checksum: String { finder.lexicon.checksum }

    public init(lists: NameLists) {
        finder = NameFinder(lists: lists)
    }

    public init(lexicon: Lexicon) {
        finder = NameFinder(lexicon: lexicon)
    }

    public func makeWorker() throws -> any AnnotationStageWorker { Worker(finder: finder) }

    final class Worker: AnnotationStageWorker {
        let finder: NameFinder
        /// The reading state, its storage kept from document to document.
        let state: NameFinder.State
        init(finder: NameFinder) {
            self.finder = finder
            state = NameFinder.State(lexicon: finder.lexicon)
        }
        func annotate(_ document: inout Document) {
            document[group: NamesStage.group] = finder.find(in: document, reusing: state)
        }
    }
}

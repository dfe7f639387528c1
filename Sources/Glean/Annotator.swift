import GleanCore
import GleanNames
import GleanSegment

/// The annotation pipeline for single documents: segment, run the stages, resolve overlaps.
/// Configure it once and share it; each thread gets a ``AnnotatorWorker``.
///
/// ```swift
/// let annotator = try Annotator(configuration: AnnotatorConfiguration())
/// let doc = try annotator.annotate("Sydney's west.")
/// doc.tokens.count  // 4: Sydney | 's | west | .
/// ```
public final class Annotator: Sendable {
    public let configuration: AnnotatorConfiguration
    let segmenters = SegmenterPrototypes()

    public init(configuration: AnnotatorConfiguration) throws {
        self.configuration = configuration
    }

    /// A worker for one thread.
    public func makeWorker() throws -> AnnotatorWorker {
        try AnnotatorWorker(annotator: self)
    }

    /// Annotates one text (a convenience; batch work goes through workers or ``Pipeline``).
    public func annotate(_ text: String, lang: String? = nil) throws -> Document {
        var doc = Document(text, lang: lang ?? configuration.defaultLanguage)
        try makeWorker().annotate(&doc)
        return doc
    }
}

/// One thread's annotator: owns that thread's ICU iterators and stage scratch space.
public final class AnnotatorWorker {
    public let configuration: AnnotatorConfiguration
    let segmenter: Segmenter
    let stageWorkers: [any AnnotationStageWorker]
    /// Without `--emit spans`, empty the span groups once the entities are chosen, so that a
    /// large document does not hold its candidates twice (the pipeline sets it; the groups stay
    /// for callers that read them).
    public var releasesUnwrittenCandidates = false

    init(annotator: Annotator) throws {
        configuration = annotator.configuration
        segmenter = annotator.segmenters.makeSegmenter()
        let wantsEntities = !configuration.emit.isDisjoint(with: [.ents, .spans])
        stageWorkers = wantsEntities ? try configuration.stages.map { try $0.makeWorker() } : []
    }

    /// Runs every stage the configuration needs on `document`.
    public func annotate(_ document: inout Document) throws {
        let emit = configuration.emit
        // Offsets are stored in 30 to 32 bits (Token, Sentence, Span).
        guard document.text.count <= Document.maximumTextBytes else {
            throw DocumentTooLong(bytes: document.text.count)
        }
        // Entities sit on token boundaries, so tokens are needed whenever anything is emitted.
        try segmenter.segment(&document, sentences: emit.contains(.sents))
        guard !stageWorkers.isEmpty else { return }
        for worker in stageWorkers { worker.annotate(&document) }
        if let labels = configuration.labels {
            for g in document.spanGroups.indices { document.spanGroups[g].spans.removeAll { !labels.contains($0.label) } }
        }
        if emit.contains(.ents) {
            if releasesUnwrittenCandidates, !emit.contains(.spans) {
                // The candidates are not written: they move into resolution rather than being
                // copied, and their groups are left empty.
                var all: [Span] = []
                all.reserveCapacity(document.spanGroups.reduce(0) { $0 + $1.spans.count })
                for g in document.spanGroups.indices {
                    all += document.spanGroups[g].spans
                    document.spanGroups[g].spans = []
                }
                document.entities = configuration.resolution.resolve(all)
            } else {
                document.entities = configuration.resolution.resolve(document.allCandidates)
            }
            if configuration.propagation { Propagation.apply(&document) }
        }
    }
}

/// A document whose text is longer than ``Document/maximumTextBytes``: its record gets an error
/// record (a `--max-record-bytes` above 1 GiB lets such records be read).
public struct DocumentTooLong: Error, CustomStringConvertible {
    public var bytes: Int
    public var description: String {
        "text of \(bytes) bytes is over the limit of \(Document.maximumTextBytes) bytes (1 GiB) for one document"
    }
}

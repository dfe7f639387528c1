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
        // A document cut into windows gets its sentences too, for the cuts.
        let windowed = !stageWorkers.isEmpty && EntityWindows.isCut(bytes: document.text.count, target: configuration.entityWindowBytes)
        try segmenter.segment(&document, sentences: emit.contains(.sents) || windowed)
        guard !stageWorkers.isEmpty else { return }
        if windowed {
            annotateInWindows(&document)
            if !emit.contains(.sents) { document.sentences = [] }
        } else {
            runStages(&document)
            if emit.contains(.ents) {
                document.entities = resolve(&document, keepCandidates: !releasesUnwrittenCandidates || emit.contains(.spans))
            }
        }
        if emit.contains(.ents), configuration.propagation { Propagation.apply(&document) }
    }

    /// The stages over `document`, and the `--labels` filter on their candidates.
    private func runStages(_ document: inout Document) {
        for worker in stageWorkers { worker.annotate(&document) }
        if let labels = configuration.labels {
            for g in document.spanGroups.indices { document.spanGroups[g].spans.removeAll { !labels.contains($0.label) } }
        }
    }

    /// The entities chosen among `document`'s candidates (read in their groups, only the
    /// winners copied). Without `keepCandidates`, their groups are left empty.
    private func resolve(_ document: inout Document, keepCandidates: Bool) -> [Span] {
        let entities = configuration.resolution.resolve(document.spanGroups)
        if !keepCandidates {
            for g in document.spanGroups.indices { document.spanGroups[g].spans = [] }
        }
        return entities
    }

    /// The stages and resolution window by window (``EntityWindows``): only one window's
    /// candidates are alive at a time, unless `--emit spans` writes them all.
    private func annotateInWindows(_ document: inout Document) {
        let emit = configuration.emit
        let windows = EntityWindows.cuts(text: document.text, tokens: document.tokens, sentences: document.sentences,
                                         target: configuration.entityWindowBytes)
        var entities: [Span] = []
        for (k, range) in windows.enumerated() {
            var (part, base) = EntityWindows.part(of: document, tokens: range, isFirst: k == 0, isLast: k == windows.count - 1)
            runStages(&part)
            for w in part.warnings where !document.warnings.contains(w) { document.warnings.append(w) }
            if emit.contains(.spans) {
                for group in part.spanGroups where !group.spans.isEmpty {
                    let moved = group.spans.map { EntityWindows.shifted($0, bytes: base, tokens: range.lowerBound) }
                    if let g = document.spanGroups.firstIndex(where: { $0.name == group.name }) {
                        document.spanGroups[g].spans += moved
                    } else {
                        document.spanGroups.append(SpanGroup(name: group.name, spans: moved))
                    }
                }
            }
            if emit.contains(.ents) {
                let found = resolve(&part, keepCandidates: false)
                if k == 0 {
                    // Room for the whole document at the first window's rate, and a quarter more:
                    // growing by doubling would hold twice the entities while it copies, and
                    // the pages reserved but never filled are never touched.
                    let rate = Double(found.count) / Double(max(1, part.text.count))
                    entities.reserveCapacity(Int(rate * Double(document.text.count) * 1.25) + 1024)
                }
                for e in found { entities.append(EntityWindows.shifted(e, bytes: base, tokens: range.lowerBound)) }
            }
        }
        document.entities = entities
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

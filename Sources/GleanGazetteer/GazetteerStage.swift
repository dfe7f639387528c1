import GleanCore

/// The gazetteer stage of the pipeline: every match of every gazetteer, in the order given,
/// appended to `document.gazetteerSpans` (token-aligned; overlapping candidates all kept, for the
/// resolution policy to choose from).
///
/// ```swift
/// let stage = GazetteerStage([try Gazetteer.load(path: "places.glz")])
/// let worker = try stage.makeWorker()
/// worker.annotate(&doc)  // doc must be tokenized
/// ```
public struct GazetteerStage: AnnotationStage {
    public let gazetteers: [Gazetteer]
    public var name: String { "gazetteer" }

    public init(_ gazetteers: [Gazetteer]) {
        self.gazetteers = gazetteers
    }

    /// "glz:" and each gazetteer's image checksum in hex, comma-separated.
    public var checksum: String {
        gazetteers.map { "glz:" + String($0.checksum, radix: 16) }.joined(separator: ",")
    }

    public func makeWorker() throws -> any AnnotationStageWorker { Worker(gazetteers: gazetteers) }

    final class Worker: AnnotationStageWorker {
        let gazetteers: [Gazetteer]
        let scratch: [GazetteerScratch]
        init(gazetteers: [Gazetteer]) {
            self.gazetteers = gazetteers
            scratch = gazetteers.map { _ in GazetteerScratch() }
        }
        func annotate(_ document: inout Document) {
            var spans = document.gazetteerSpans
            document.gazetteerSpans = []
            for (g, scratch) in zip(gazetteers, scratch) { g.findMatches(in: document, into: &spans, scratch: scratch) }
            document.gazetteerSpans = spans
        }
    }
}

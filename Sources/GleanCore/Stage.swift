/// A stage that adds spans to documents (patterns, gazetteers).
///
/// The stage itself is shared by all threads and immutable; each thread asks it for a worker once
/// and runs every document through that worker, which may keep per-thread scratch space.
public protocol AnnotationStage: Sendable {
    /// A short name for summaries and benchmarks ("patterns", "gazetteer").
    var name: String { get }
    /// A checksum of the models the stage uses (for `--summary-json`), e.g. "sha256:…".
    var checksum: String { get }
    func makeWorker() throws -> any AnnotationStageWorker
}

/// One thread's runner of an ``AnnotationStage``.
public protocol AnnotationStageWorker: AnyObject {
    /// Adds this stage's candidates to `document` (its `patternSpans` or `gazetteerSpans`, token
    /// aligned, see ``TokenAlignment``) and any warnings.
    func annotate(_ document: inout Document)
}

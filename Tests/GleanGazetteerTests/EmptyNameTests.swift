import GleanCore
import Testing
@testable import GleanGazetteer

/// An empty name in a TSV source is dropped by the compiler and reported (`--dropped`), not a
/// failed compile; the other entries still compile.
@Suite struct EmptyNameTests {
    @Test func emptyNamesAreDroppedNotFatal() throws {
        let tsv = "Paris\tGPE\n\tGPE\tQ1\n   \tGPE\nLyon\tGPE\n"
        let list = try GazetteerSources.parseTSV(Array(tsv.utf8), file: "a.tsv")
        #expect(list.map(\.name) == ["Paris", "", "", "Lyon"])
        let (g, report) = try Gazetteer.compile(list, tokenize: try makeTokenizer())
        #expect(report.entriesKept == 2)
        #expect(report.dropped.map(\.reason) == [.noTokens, .noTokens])
        #expect(report.dropped.first?.entry.kbId == "Q1")
        let tokenize = try makeTokenizer()
        var doc = Document("Paris and Lyon")
        try tokenize(&doc)
        var spans: [Span] = []
        g.findMatches(in: doc, into: &spans)
        #expect(render(spans, in: doc) == ["Paris/GPE//Paris", "Lyon/GPE//Lyon"])
        // Counter-example: an empty label is still an error.
        #expect(throws: GazetteerSourceError.self) { try GazetteerSources.parseTSV(Array("Paris\t\n".utf8), file: "a.tsv") }
    }
}

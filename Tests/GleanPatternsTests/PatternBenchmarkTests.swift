import GleanCore
@testable import GleanPatterns
import GleanTestSupport
import Testing

/// `PatternSet.benchmark`: the patterns timed one by one do the stage's work, no more and no
/// less (their spans add up to the stage's), and every pattern has its row.
struct PatternBenchmarkTests {
    @Test func perPatternRunsFindTheStagesSpans() throws {
        let pack = try PatternSet.defaultPack()
        let texts = try CorpusTexts.load(limitPerFile: 40)
        let stageSpans = texts.reduce(0) { sum, text in
            sum + pack.matches(in: String(decoding: text, as: UTF8.self)).spans.count
        }
        let result = pack.benchmark(texts: texts, rounds: 1)
        #expect(stageSpans > 100, "the texts hold matches")
        #expect(result.spans == stageSpans)
        #expect(result.perPatternSpans == stageSpans)
        #expect(Set(result.perPattern.map(\.name)) == Set(pack.definitions.map(\.name)))
    }
}

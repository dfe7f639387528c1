import Foundation
import GleanCore
import GleanTestSupport
import Testing
@testable import GleanGazetteer

/// Names of thousands of tokens and names sharing long prefixes: matching stays linear in the
/// tokens plus the matches (counted trie steps, not time), and the automaton that makes it so
/// finds exactly what the walk and the naive matcher find.
@Suite("Long names")
struct LongNameTests {
    static func document(_ text: String, _ tokenize: NameTokenizer) throws -> Document {
        var doc = Document(text)
        try tokenize(&doc)
        return doc
    }

    static func steps(_ g: Gazetteer, _ doc: Document, into spans: inout [Span], automaton: GazetteerAutomaton? = nil) -> Int {
        g.image.findMatches(text: doc.text, tokens: doc.tokens, allowed: nil, cache: nil, names: nil, spansCache: nil,
                            into: &spans, automaton: automaton)
    }

    @Test func repeatedTokenNameIsLinear() throws {
        let tokenize = try makeTokenizer()
        let length = 3 * GazetteerAutomaton.walkDepth
        let name = Array(repeating: "a", count: length).joined(separator: " ")
        let (g, _) = try Gazetteer.compile([GazetteerEntry(name: name, label: "LONG"), GazetteerEntry(name: "a a", label: "PAIR")],
                                           tokenize: tokenize)
        #expect(g.image.automaton() != nil)
        var counts: [Int] = []
        for n in [4000, 8000] {
            let doc = try Self.document(Array(repeating: "a", count: n).joined(separator: " "), tokenize)
            var spans: [Span] = []
            let s = Self.steps(g, doc, into: &spans)
            // Every start of a full run: n - length + 1 long matches, n - 1 pairs.
            #expect(spans.filter { $0.label == "LONG" }.count == n - length + 1)
            #expect(spans.filter { $0.label == "PAIR" }.count == n - 1)
            #expect(s <= 3 * (n + spans.count), "steps \(s) for \(n) tokens and \(spans.count) matches")
            counts.append(s)
        }
        #expect(Double(counts[1]) / Double(counts[0]) < 2.2, "steps \(counts)")
    }

    @Test func thousandsOfDistinctTokens() throws {
        let tokenize = try makeTokenizer()
        var counts: [Int] = []
        for n in [3000, 6000] {
            let words = (0..<n).map { "w\($0)" }
            let (g, report) = try Gazetteer.compile([GazetteerEntry(name: words.joined(separator: " "), label: "LONG")], tokenize: tokenize)
            #expect(report.nodes == n + 1)
            let doc = try Self.document((words + words).joined(separator: " "), tokenize)
            var spans: [Span] = []
            counts.append(Self.steps(g, doc, into: &spans))
            #expect(spans.count == 2)
            #expect(spans.map(\.firstToken) == [0, n])
        }
        #expect(Double(counts[1]) / Double(counts[0]) < 2.2, "steps \(counts)")
    }

    /// Names that share long prefixes ("p1 … pk x" for many k): with the walk each start may go
    /// deep; the counted work stays proportional to tokens plus matches.
    @Test func sharedLongPrefixes() throws {
        let tokenize = try makeTokenizer()
        let prefix = (0..<200).map { "p\($0)" }
        var entries: [GazetteerEntry] = []
        for k in stride(from: 10, through: 200, by: 10) {
            entries.append(GazetteerEntry(name: (prefix[0..<k] + ["end"]).joined(separator: " "), label: "P\(k)"))
        }
        let (g, _) = try Gazetteer.compile(entries, tokenize: tokenize)
        var counts: [Int] = []
        for copies in [20, 40] {
            let text = Array(repeating: (prefix + ["end"]).joined(separator: " "), count: copies).joined(separator: " ")
            let doc = try Self.document(text, tokenize)
            var spans: [Span] = []
            counts.append(Self.steps(g, doc, into: &spans))
            #expect(spans.count == copies)  // only "p0 … p199 end" ends with "end" right after p199
        }
        #expect(Double(counts[1]) / Double(counts[0]) < 2.2, "steps \(counts)")
    }

    /// The automaton against the walk and the naive matcher, on random gazetteers over a small
    /// vocabulary (so that names overlap, nest and share prefixes and suffixes), in every case mode.
    @Test(arguments: [CaseMode.exact, .fold, .smart])
    func automatonAgreesWithWalkAndNaive(_ mode: CaseMode) throws {
        let tokenize = try makeTokenizer()
        var rng = TestRandom("automatonAgreesWithWalk-\(mode)")
        let vocabulary = ["a", "b", "c", "A", "B", "d-e", "f.", "é", "x"]
        for round in 0..<150 {
            var entries: [GazetteerEntry] = []
            for k in 0..<Int.random(in: 1...12, using: &rng) {
                let words = (0..<Int.random(in: 1...6, using: &rng)).map { _ in vocabulary.randomElement(using: &rng)! }
                entries.append(GazetteerEntry(name: words.joined(separator: " "), label: ["L1", "L2"].randomElement(using: &rng)!,
                                              kbId: "id\(k % 4)"))
            }
            let folding = TextFolding(caseMode: mode)
            let (g, _) = try Gazetteer.compile(entries, options: GazetteerCompileOptions(folding: folding), tokenize: tokenize)
            let automaton = try #require(GazetteerAutomaton.build(g.image, threshold: 0))
            let naive = try NaiveMatcher(entries, folding: folding, tokenize: tokenize)
            let text = (0..<Int.random(in: 0...40, using: &rng)).map { _ in vocabulary.randomElement(using: &rng)! }.joined(separator: " ")
            let doc = try Self.document(text, tokenize)
            var walk: [Span] = [], auto: [Span] = []
            _ = Self.steps(g, doc, into: &walk)
            _ = Self.steps(g, doc, into: &auto, automaton: automaton)
            #expect(auto == walk, "round \(round) \(rng.label): \(text)")
            #expect(render(auto, in: doc) == render(naive.matches(doc), in: doc), "round \(round) \(rng.label): \(text)")
        }
    }

    /// A trie with a node numbered before its parent (possible only in a crafted file) is not
    /// followed: building and running the automaton terminates and emits only real matches.
    @Test func automatonOnEveryValidGazetteerTerminates() throws {
        let tokenize = try makeTokenizer()
        let (g, _) = try Gazetteer.compile([GazetteerEntry(name: "a b c", label: "L")], tokenize: tokenize)
        let automaton = try #require(GazetteerAutomaton.build(g.image, threshold: 0))
        #expect(automaton.maxDepth == 3)
        #expect(GazetteerAutomaton.build(g.image) == nil, "short names keep the walk")
    }
}

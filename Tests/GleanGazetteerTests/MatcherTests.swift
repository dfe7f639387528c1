import Foundation
import GleanCore
import Testing
import GleanTestSupport
@testable import GleanGazetteer

/// One row of the semantics table: names (TSV), options, a text, and the expected matches as
/// "matched text/label/kb ids/alias", sorted by position.
struct SemanticsCase: CustomTestStringConvertible, Sendable {
    var names: String
    var mode: CaseMode = .smart
    var accents = false
    var text: String
    var expected: [String]
    var testDescription: String { "\(mode)\(accents ? "+accents" : ""): \(text.debugDescription)" }
}

let semanticsTable: [SemanticsCase] = [
    // Token boundaries.
    .init(names: "Sydney\tGPE\t2147714", text: "Sydney's west", expected: ["Sydney/GPE/2147714/Sydney"]),
    .init(names: "lt\tX", mode: .fold, text: "Er erhält lt.", expected: ["lt/X//lt"]),
    .init(names: "York\tGPE", text: "Yorkshire and New-York", expected: ["York/GPE//York"]),
    .init(names: "McDonald's\tORG", text: "at McDonald's today", expected: ["McDonald's/ORG//McDonald's"]),
    // Whitespace and punctuation.
    .init(names: "New York\tGPE", text: "in New\n  York.", expected: ["New\n  York/GPE//New York"]),
    .init(names: "New York\tGPE", text: "New\tYork\r\nNew\u{00A0}York", expected: ["New\tYork/GPE//New York", "New\u{00A0}York/GPE//New York"]),
    .init(names: "St. Louis\tGPE", text: "St Louis, St. Louis", expected: ["St. Louis/GPE//St. Louis"]),
    .init(names: "Guinea-Bissau\tGPE", text: "Guinea-Bissau and Guinea - Bissau",
          expected: ["Guinea - Bissau/GPE//Guinea-Bissau", "Guinea-Bissau/GPE//Guinea-Bissau"]),
    // Every candidate, nested ones included.
    .init(names: "New York\tGPE\nNew York City\tGPE\tNYC\nYork\tGPE", text: "New York City Hall",
          expected: ["New York/GPE//New York", "New York City/GPE/NYC/New York City", "York/GPE//York"]),
    // Start and end of the text.
    .init(names: "Paris\tGPE\nFrance\tGPE", text: "Paris is in France", expected: ["Paris/GPE//Paris", "France/GPE//France"]),
    .init(names: "Paris\tGPE", text: "Paris", expected: ["Paris/GPE//Paris"]),
    .init(names: "Paris\tGPE", text: "\n  Paris\n", expected: ["Paris/GPE//Paris"]),
    .init(names: "Paris\tGPE", text: "", expected: []),
    // Several ids, several labels, priority by source order.
    .init(names: "Georgia\tGPE\t614540\nGeorgia\tGPE\t4197000", text: "Georgia", expected: ["Georgia/GPE/614540,4197000/Georgia"]),
    .init(names: "Jordan\tGPE\tJ1\nJordan\tPERSON\tP1\nJordan\tGPE\tJ1", text: "Jordan", expected: ["Jordan/GPE/J1/Jordan", "Jordan/PERSON/P1/Jordan"]),
    // Case modes.
    .init(names: "Sydney\tGPE", text: "SYDNEY sydney Sydney", expected: ["SYDNEY/GPE//Sydney", "Sydney/GPE//Sydney"]),
    .init(names: "Sydney\tGPE", mode: .fold, text: "SYDNEY sydney", expected: ["SYDNEY/GPE//Sydney", "sydney/GPE//Sydney"]),
    .init(names: "Sydney\tGPE", mode: .exact, text: "SYDNEY sydney Sydney", expected: ["Sydney/GPE//Sydney"]),
    .init(names: "And\tGPE", text: "this and that. And then", expected: ["And/GPE//And"]),
    .init(names: "iphone\tPRODUCT", text: "iPhone IPHONE iphone",
          expected: ["iPhone/PRODUCT//iphone", "IPHONE/PRODUCT//iphone", "iphone/PRODUCT//iphone"]),
    .init(names: "New York\tGPE", text: "new york, new York", expected: ["new York/GPE//New York"]),
    .init(names: "Sydney\tGPE\nsydney\tX", text: "sydney", expected: ["sydney/X//sydney"]),
    // Two or three capitals alone are an acronym: a name in capitals, not one that only starts with one.
    .init(names: "Gao\tGPE\nGAO\tORG", text: "GAO and Gao", expected: ["GAO/ORG//GAO", "Gao/GPE//Gao", "Gao/ORG//GAO"]),
    .init(names: "Edo\tGPE\nUK\tGPE", text: "EDO, Edo, UK, Uk", expected: ["Edo/GPE//Edo", "UK/GPE//UK", "Uk/GPE//UK"]),
    .init(names: "Rome\tGPE\nNew York\tGPE", text: "ROME, NEW YORK", expected: ["ROME/GPE//Rome", "NEW YORK/GPE//New York"]),
    .init(names: "Gao\tGPE", mode: .fold, text: "GAO", expected: ["GAO/GPE//Gao"]),
    // Folding beyond ASCII.
    .init(names: "Straße\tLOC", mode: .fold, text: "STRASSE strasse Straße", expected: ["STRASSE/LOC//Straße", "strasse/LOC//Straße", "Straße/LOC//Straße"]),
    .init(names: "Straße\tLOC", text: "STRASSE strasse", expected: ["STRASSE/LOC//Straße"]),
    .init(names: "İstanbul\tGPE", mode: .fold, text: "İSTANBUL istanbul ISTANBUL", expected: ["İSTANBUL/GPE//İstanbul"]),
    .init(names: "İstanbul\tGPE", mode: .fold, accents: true, text: "İSTANBUL istanbul", expected: ["İSTANBUL/GPE//İstanbul", "istanbul/GPE//İstanbul"]),
    .init(names: "ΟΔΥΣΣΕΥΣ\tPERSON", mode: .fold, text: "Οδυσσευς", expected: ["Οδυσσευς/PERSON//ΟΔΥΣΣΕΥΣ"]),
    .init(names: "ＳＯＮＹ\tORG\nＡＢＣ\tORG", text: "Sony and ABC", expected: ["Sony/ORG//ＳＯＮＹ", "ABC/ORG//ＡＢＣ"]),
    .init(names: "Zurich\tGPE", accents: true, text: "Zürich ZÜRICH zurich Zurich",
          expected: ["Zürich/GPE//Zurich", "ZÜRICH/GPE//Zurich", "Zurich/GPE//Zurich"]),
    .init(names: "Zurich\tGPE", text: "Zürich Zurich", expected: ["Zurich/GPE//Zurich"]),
    .init(names: "São Paulo\tGPE", mode: .exact, accents: true, text: "Sao Paulo SAO PAULO", expected: ["Sao Paulo/GPE//São Paulo"]),
    // CJK.
    .init(names: "東京\tGPE\n北京\tGPE", text: "東京と北京", expected: ["東京/GPE//東京", "北京/GPE//北京"]),
    .init(names: "東京\tGPE", text: "東京\n東京。", expected: ["東京/GPE//東京", "東京/GPE//東京"]),
]

@Suite struct MatcherTests {
    @Test(arguments: semanticsTable)
    func semantics(_ row: SemanticsCase) throws {
        let tokenize = try makeTokenizer()
        let folding = TextFolding(caseMode: row.mode, foldAccents: row.accents)
        let list = try entries(row.names)
        let (gazetteer, _) = try Gazetteer.compile(list, options: GazetteerCompileOptions(folding: folding), tokenize: tokenize)
        var doc = Document(row.text)
        try tokenize(&doc)
        var spans: [Span] = []
        gazetteer.findMatches(in: doc, into: &spans)
        #expect(Set(render(spans, in: doc)) == Set(row.expected))
        #expect(spans.count == row.expected.count)
        let naive = try NaiveMatcher(list, folding: folding, tokenize: tokenize)
        #expect(Set(render(naive.matches(doc), in: doc)) == Set(row.expected), "the reference matcher disagrees with the table")
        for s in spans {
            #expect(s.source == .gazetteer)
            #expect(doc.tokens[s.firstToken].start == s.start && doc.tokens[s.endToken - 1].end == s.end)
            #expect(s.matchStart == s.start && s.matchEnd == s.end)
        }
    }

    @Test func spansAreTokenAlignedAndOrdered() throws {
        let tokenize = try makeTokenizer()
        let (g, _) = try Gazetteer.compile(try entries("New York\tGPE\nYork\tGPE\nNew York City\tGPE"), tokenize: tokenize)
        var doc = Document("I love New York City.")
        try tokenize(&doc)
        var spans: [Span] = []
        g.findMatches(in: doc, into: &spans)
        #expect(spans.map { [$0.firstToken, $0.endToken] } == [[2, 4], [2, 5], [3, 4]])
        var expanded = spans
        TokenAlignment.expand(&expanded, tokens: doc.tokens)
        #expect(expanded == spans)
    }

    @Test func labelFilter() throws {
        let tokenize = try makeTokenizer()
        let (g, _) = try Gazetteer.compile(try entries("Jordan\tGPE\nJordan\tPERSON\nAmman\tGPE"), tokenize: tokenize)
        var doc = Document("Jordan and Amman")
        try tokenize(&doc)
        var spans: [Span] = []
        g.restricted(toLabels: ["PERSON"]).findMatches(in: doc, into: &spans)
        #expect(render(spans, in: doc) == ["Jordan/PERSON//Jordan"])
    }

    @Test func lookup() throws {
        let tokenize = try makeTokenizer()
        let (g, _) = try Gazetteer.compile(try entries("Georgia\tGPE\t614540\nGeorgia\tGPE\t4197000\nNew York\tGPE\t5128581"), tokenize: tokenize)
        #expect(try g.lookup("GEORGIA", tokenize: tokenize).map(\.kbId) == ["614540", "4197000"])
        #expect(try g.lookup("new york", tokenize: tokenize).isEmpty)  // smart case
        #expect(try g.lookup("NEW YORK", tokenize: tokenize).map(\.alias) == ["New York"])
        #expect(try g.lookup("New  York", tokenize: tokenize).map(\.alias) == ["New York"])
        #expect(try g.lookup("York", tokenize: tokenize).isEmpty)
    }

    @Test func sharedAcrossThreads() async throws {
        let tokenize = try makeTokenizer()
        let (g, _) = try Gazetteer.compile(try entries("Sydney\tGPE\nNew South Wales\tGPE"), tokenize: tokenize)
        var doc = Document(String(repeating: "Sydney is in New South Wales. ", count: 200))
        try tokenize(&doc)
        let document = doc
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var spans: [Span] = []
                    g.findMatches(in: document, into: &spans)
                    return spans.count
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 400, count: 8))
    }
}

/// Random dictionaries and texts, the real matcher against the naive one.
@Suite struct DifferentialTests {
    static let vocabulary = ["new", "New", "NEW", "york", "York", "city", "City", "san", "San", "José", "JOSE", "jose",
                             "Straße", "STRASSE", "strasse", "St", ".", "-", "Louis", "and", "And", "of", "Ørsted",
                             "İzmir", "izmir", "Zürich", "zurich", "東京", "ＡＢＣ", "abc", "Sydney's", "x", "Υ", "ς"]
    static let separators = [" ", " ", " ", "\n", "  ", "\t", ", ", ". ", "\n\n", " - "]

    /// One random dictionary and text from `rng`; `case` numbers it in failure messages.
    static func run(_ rng: inout TestRandom, case number: Int, folding: TextFolding) throws {
        let where_ = "\(rng.label), case \(number), folding \(folding.testDescription)"
        let tokenize = try makeTokenizer()
        var list: [GazetteerEntry] = []
        for k in 0..<Int.random(in: 1...40, using: &rng) {
            let words = (0..<Int.random(in: 1...3, using: &rng)).map { _ in vocabulary.randomElement(using: &rng)! }
            let label = ["A", "B", "C"].randomElement(using: &rng)!
            let id = Bool.random(using: &rng) ? "id\(k)" : ""
            list.append(GazetteerEntry(name: words.joined(separator: " "), label: label, kbId: id))
        }
        var text = ""
        for _ in 0..<Int.random(in: 0...120, using: &rng) {
            text += vocabulary.randomElement(using: &rng)! + separators.randomElement(using: &rng)!
        }
        let (g, _) = try Gazetteer.compile(list, options: GazetteerCompileOptions(folding: folding), tokenize: tokenize)
        var doc = Document(text)
        try tokenize(&doc)
        var spans: [Span] = []
        g.findMatches(in: doc, into: &spans)
        let naive = try NaiveMatcher(list, folding: folding, tokenize: tokenize).matches(doc)
        // With a thread's cache (twice: cold, then warm), the answer is the same.
        let scratch = GazetteerScratch()
        for _ in 0..<2 {
            var cached: [Span] = []
            g.findMatches(in: doc, into: &cached, scratch: scratch)
            #expect(cached == spans, "\(where_): the cached path differs")
        }
        #expect(render(spans, in: doc) == render(naive, in: doc), "\(where_)")
        #expect(spans.map { [$0.firstToken, $0.endToken] }.sorted { $0.lexicographicallyPrecedes($1) }
                == naive.map { [$0.firstToken, $0.endToken] }.sorted { $0.lexicographicallyPrecedes($1) }, "\(where_)")
    }

    @Test(arguments: [TextFolding(caseMode: .exact), TextFolding(caseMode: .fold), TextFolding(caseMode: .smart),
                      TextFolding(caseMode: .smart, foldAccents: true), TextFolding(caseMode: .exact, foldAccents: true)])
    func randomDictionariesAndTexts(folding: TextFolding) throws {
        var rng = TestRandom("GleanGazetteerTests.randomDictionariesAndTexts.\(folding.testDescription)")
        for k in 0..<60 {
            try Self.run(&rng, case: k, folding: folding)
        }
    }
}

extension TextFolding: CustomTestStringConvertible {
    public var testDescription: String { "\(caseMode)\(foldAccents ? "+accents" : "")" }
}

@Suite struct DocumentationExampleTests {
    /// The worked example on ``Gazetteer``.
    @Test func workedExample() throws {
        let tokenize = try makeTokenizer()
        let (gazetteer, _) = try Gazetteer.compile(
            [GazetteerEntry(name: "New York", label: "GPE", kbId: "5128581"),
             GazetteerEntry(name: "New York City", label: "GPE")],
            tokenize: tokenize)
        var doc = Document("NEW YORK CITY\nhall")
        try tokenize(&doc)
        var spans: [Span] = []
        gazetteer.findMatches(in: doc, into: &spans)
        #expect(spans.map { [$0.start, $0.end] } == [[0, 8], [0, 13]])
        #expect(render(spans, in: doc) == ["NEW YORK/GPE/5128581/New York", "NEW YORK CITY/GPE//New York City"])
    }
}

/// One thread's scratch keeps ready spans per trie node; they must follow the label restriction
/// and the smart-case test of each occurrence, whatever was matched before.
@Suite struct ScratchSpansTests {
    @Test func readySpansFollowLabelsAndCase() throws {
        let tokenize = try makeTokenizer()
        let (g, _) = try Gazetteer.compile(try entries("New York\tGPE\tny1\nNew York\tORG\tny2\nnew york\tMISC\tny3\n"), tokenize: tokenize)
        let scratch = GazetteerScratch()
        var doc = Document("New York, new york, NEW YORK and New York again.")
        try tokenize(&doc)
        for gazetteer in [g, g.restricted(toLabels: ["ORG"]), g, g.restricted(toLabels: ["MISC"]), g.restricted(toLabels: ["GPE", "MISC"])] {
            for _ in 0..<2 {
                var plain: [Span] = [], cached: [Span] = []
                gazetteer.findMatches(in: doc, into: &plain)
                gazetteer.findMatches(in: doc, into: &cached, scratch: scratch)
                #expect(cached == plain)
            }
        }
        var spans: [Span] = []
        g.findMatches(in: doc, into: &spans, scratch: scratch)
        // "new york" (all lowercase) only matches the lowercase alias; the others match all three.
        #expect(render(spans, in: doc) == [
            "New York/GPE/ny1/New York", "New York/MISC/ny3/new york", "New York/ORG/ny2/New York",
            "new york/MISC/ny3/new york",
            "NEW YORK/GPE/ny1/New York", "NEW YORK/MISC/ny3/new york", "NEW YORK/ORG/ny2/New York",
            "New York/GPE/ny1/New York", "New York/MISC/ny3/new york", "New York/ORG/ny2/New York",
        ])
    }
}

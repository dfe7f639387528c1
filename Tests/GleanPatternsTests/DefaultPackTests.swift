import GleanCore
import GleanPatterns
import GleanSegment
import Testing

/// One row of the default pack's table: a text, the spans it must give (label, matched text,
/// and where it matters the normalised value), and spans it must not give.
struct PackRow: CustomTestStringConvertible, Sendable {
    var text: String
    var expect: [(label: String, text: String, value: String?)]
    var reject: [(label: String, text: String)]
    var testDescription: String { text }

    init(_ text: String, _ expect: [(String, String)], values: [String: String] = [:], not reject: [(String, String)] = []) {
        self.text = text
        self.expect = expect.map { ($0.0, $0.1, values[$0.1]) }
        self.reject = reject
    }
}

/// Rows for the pack as a whole, after resolution (each piece's own examples and counter-examples
/// are in its file and checked by `piece`): a text, the entities it must give, and entities it must
/// not give (often a piece's match that another, longer one must win over).
let packRows: [PackRow] = [
    PackRow("Rome was founded in 753 BC; a temple of c. 500 BC; the 4th century; in 1066.",
            [("DATE", "753 BC"), ("DATE", "c. 500 BC"), ("DATE", "4th century"), ("DATE", "1066")],
            values: ["753 BC": "-0752", "4th century": "0301/0400"],
            not: [("CARDINAL", "753"), ("CARDINAL", "500"), ("ORDINAL", "4th"), ("CARDINAL", "1066")]),
    PackRow("Fires burned on New Year's Eve and Christmas Day.", [("DATE", "New Year's Eve"), ("DATE", "Christmas Day")],
            not: [("DATE", "Christmas Island")]),
    PackRow("He arrived on Christmas Island.", [], not: [("DATE", "Christmas")]),
    PackRow("You may say so. May I go?", [], not: [("DATE", "May")]),
    PackRow("I am here and pm is a word.", [], not: [("TIME", "am")]),
    PackRow("Crews worked yesterday afternoon and will return tomorrow morning; this year is worse.",
            [("TIME", "yesterday afternoon"), ("TIME", "tomorrow morning"), ("DATE", "this year")],
            not: [("DATE", "yesterday"), ("DATE", "tomorrow")]),
    PackRow("He lost 10 pounds of weight.", [], not: [("MONEY", "10 pounds")]),
    PackRow("In 2023 the 16-year-old saw 4:00 and $5 and 3.5%.", [("DATE", "2023")],
            not: [("CARDINAL", "2023"), ("CARDINAL", "16"), ("CARDINAL", "4"), ("CARDINAL", "00"), ("CARDINAL", "5"), ("CARDINAL", "3.5")]),
    PackRow("About 60 units, more than 100 blazes, just over 200 paddlers and as many as 5,000 troops.",
            [("CARDINAL", "About 60"), ("CARDINAL", "more than 100"), ("CARDINAL", "just over 200"), ("CARDINAL", "as many as 5,000")],
            not: [("CARDINAL", "60"), ("CARDINAL", "100")]),
    PackRow("An estimated 500 residents left.", [("CARDINAL", "500")], not: [("CARDINAL", "An estimated 500")]),
    PackRow("It raised about $170,000, paid more than $800 million and set $400 to $500 million aside.",
            [("MONEY", "about $170,000"), ("MONEY", "more than $800 million"), ("MONEY", "$400 to $500 million")],
            not: [("MONEY", "$400")]),
    PackRow("The worst crisis in 12 years, 15 months of unrest, 10 days ago, a 10-year expansion.",
            [("DATE", "12 years"), ("DATE", "15 months"), ("DATE", "10 days ago"), ("DATE", "10-year")],
            not: [("CARDINAL", "12"), ("CARDINAL", "15")]),
    PackRow("Two days of mourning, four years of recession, a week ago, the next few days.",
            [("DATE", "Two days"), ("DATE", "four years"), ("DATE", "a week ago"), ("DATE", "next few days")],
            not: [("DATE", "the next few days")]),
    PackRow("Eight hours away; the next few hours; a second minute of silence.",
            [("TIME", "Eight hours"), ("TIME", "next few hours")], not: [("TIME", "a second")]),
    PackRow("A 25 kilometre front, 110 kilometres an hour, some 50 kilometers, 46 miles, less than about five millimetres.",
            [("QUANTITY", "25 kilometre"), ("QUANTITY", "110 kilometres an hour"), ("QUANTITY", "some 50 kilometers"),
             ("QUANTITY", "46 miles"), ("QUANTITY", "less than about five millimetres")],
            not: [("CARDINAL", "25")]),
    PackRow("There is a degree of volatility.", [], not: [("QUANTITY", "a degree")]),
    PackRow("Virginie Razzano, 18, who is ranked 72nd.", [("DATE", "18")], not: [("CARDINAL", "18")]),
    PackRow("Since their 1971 war, cars built prior to 1986, by 2020, 2001 and 2002 combined; 2000 people.",
            [("DATE", "1971"), ("DATE", "1986"), ("DATE", "2020"), ("DATE", "2001"), ("DATE", "2002")],
            not: [("DATE", "2000")]),
    PackRow("No one was hurt, anyone could go one better, and Zeus Two finished; it was done; the last one wins; then one without.", [],
            not: [("CARDINAL", "one"), ("CARDINAL", "Two"), ("CARDINAL", "done")]),
    PackRow("The first set, the second Test and her eighth title; at first, first-hand.",
            [("ORDINAL", "first"), ("ORDINAL", "second"), ("ORDINAL", "eighth")], not: [("ORDINAL", "first-hand")]),
    PackRow("They left last Thursday and return next Monday; the early 1980s.",
            [("DATE", "last Thursday"), ("DATE", "next Monday"), ("DATE", "early 1980s")],
            not: [("DATE", "the early 1980s")]),
    PackRow("In the New Year Honours list.", [], not: [("DATE", "New Year")]),
    PackRow("The Bureau of Meteorology's Claire Richards and the South Asian Association for Regional Cooperation.",
            [("ORG", "Bureau of Meteorology"), ("ORG", "South Asian Association for Regional Cooperation")],
            not: [("ORG", "Bureau of Meteorology's Claire Richards")]),
    PackRow("Hosts 192.168.0.1 and 10.0.0.255 but not 1.2.3.4.5.", [("IP", "192.168.0.1"), ("IP", "10.0.0.255")], not: [("IP", "1.2.3.4")]),
    PackRow("Follow #auspol and @abcnews, not me@x.com or C#.", [("HASHTAG", "#auspol"), ("MENTION", "@abcnews")],
            not: [("MENTION", "@x"), ("HASHTAG", "#")]),
    PackRow("President Xi Jinping met Mr. Smith and Dr. Claire Richards.",
            [("PERSON", "Xi Jinping"), ("PERSON", "Smith"), ("PERSON", "Claire Richards")],
            not: [("PERSON", "President Xi Jinping"), ("PERSON", "Mr. Smith")]),
    PackRow("The president Tuesday said General Motors and Queen Street were closed.", [],
            not: [("PERSON", "Tuesday"), ("PERSON", "Motors"), ("PERSON", "Street")]),
    PackRow("The New South Wales Rural Fire Service and the Labor Party.",
            [("ORG", "New South Wales Rural Fire Service"), ("ORG", "Labor Party")], not: [("ORG", "The Labor Party")]),
    PackRow("The Proteas will resume at three for 89 on day two; Lee took 3 for 77.",
            [("CARDINAL", "three for 89"), ("DATE", "day two"), ("CARDINAL", "3 for 77")],
            not: [("CARDINAL", "three"), ("CARDINAL", "89"), ("CARDINAL", "two"), ("CARDINAL", "77")]),
    PackRow("Between 4,000 and 5,000 firefighters and 20 to 30 kilometres; he played 5 for 10 years.",
            [("CARDINAL", "Between 4,000 and 5,000"), ("QUANTITY", "20 to 30 kilometres"), ("DATE", "10 years")],
            not: [("CARDINAL", "4,000"), ("CARDINAL", "20"), ("QUANTITY", "30 kilometres"), ("CARDINAL", "5 for 10")]),
    PackRow("The European Union and the Group of eight industrialised nations; the Al Qaeda network.",
            [("ORG", "Group of eight"), ("ORG", "Al Qaeda")], not: [("CARDINAL", "eight")]),
    PackRow("He converted to Islam; Kashmiri groups and the Apache nation; Apache helicopters struck.",
            [("NORP", "Islam"), ("NORP", "Kashmiri"), ("PRODUCT", "Apache")]),
    PackRow("He died aged 58 and was recalled earlier this month; a fine of 7,500 Swiss francs.",
            [("DATE", "58"), ("DATE", "earlier this month"), ("MONEY", "7,500 Swiss francs")],
            not: [("CARDINAL", "58"), ("DATE", "this month"), ("CARDINAL", "7,500")]),
]

/// One piece of the default pack, as a test argument.
struct PackPiece: CustomTestStringConvertible, Sendable {
    var index: Int
    var name: String
    var testDescription: String { name }
}

/// The default pack (loaded once for the tests of this file).
let defaultPack: PatternSet = try! PatternSet.defaultPack()
let defaultPackPieces: [PackPiece] = defaultPack.definitions.enumerated().map { PackPiece(index: $0.offset, name: $0.element.name) }

@Suite("The default pattern pack")
struct DefaultPackTests {
    static let pack = defaultPack

    @Test("each piece gives exactly the spans of its examples and nothing on its counter-examples", arguments: defaultPackPieces)
    func piece(_ piece: PackPiece) throws {
        let def = Self.pack.definitions[piece.index]
        #expect(!def.examples.isEmpty, "\(def.name) (\(def.file):\(def.line ?? 0)) has no examples")
        #expect(!def.counterExamples.isEmpty, "\(def.name) (\(def.file):\(def.line ?? 0)) has no counter-examples (not)")
        for ex in def.examples {
            let (spans, warnings) = Self.pack.spans(ofPattern: piece.index, in: ex.text)
            #expect(warnings.isEmpty)
            let bytes = Array(ex.text.utf8)
            let found = spans.map { String(decoding: bytes[$0.matchStart..<$0.matchEnd], as: UTF8.self) }
            #expect(found == ex.spans.map(\.text), "\(def.name) on \"\(ex.text)\"")
            for (span, want) in zip(spans, ex.spans) where want.value != nil {
                #expect(span.value == want.value, "\(def.name): value of '\(want.text)'")
            }
            for span in spans {
                #expect(span.label == def.label && span.name == def.name && span.priority == def.priority)
            }
        }
        for ce in def.counterExamples {
            let (spans, _) = Self.pack.spans(ofPattern: piece.index, in: ce.text)
            let bytes = Array(ce.text.utf8)
            #expect(spans.isEmpty, "\(def.name) on \"\(ce.text)\": \(spans.map { String(decoding: bytes[$0.matchStart..<$0.matchEnd], as: UTF8.self) })")
        }
    }

    @Test("no piece is started by scanning: the plan's 128 word groups and 64 byte filters hold the whole pack")
    func noPieceScans() {
        let scanning = Self.pack.definitions.indices.filter { Self.pack.planDescription(pattern: $0).hasPrefix("scan") }
        #expect(scanning.isEmpty, "started by scanning: \(scanning.map { Self.pack.definitions[$0].name })")
    }

    @Test("the whole pack after token alignment and resolution", arguments: packRows)
    func row(_ row: PackRow) throws {
        var doc = Document(row.text)
        try Segmenter().segment(&doc)
        Self.pack.apply(to: &doc, scratch: PatternScratch(for: Self.pack))
        #expect(doc.warnings.isEmpty)
        TokenAlignment.expand(&doc.patternSpans, tokens: doc.tokens)
        let entities = ResolutionPolicy.longest.resolve(doc.patternSpans)
        let found = entities.map { (label: $0.label, text: String(decoding: doc.text[$0.start..<$0.end], as: UTF8.self), value: $0.value) }
        for e in row.expect {
            let hits = found.filter { $0.label == e.label && $0.text == e.text }
            #expect(!hits.isEmpty, "expected \(e.label) '\(e.text)'; found \(found.map { "\($0.label) '\($0.text)'" })")
            if let v = e.value {
                #expect(hits.contains { $0.value == v }, "value of '\(e.text)': \(hits.map { $0.value ?? "nil" })")
            }
        }
        for r in row.reject {
            #expect(!found.contains { $0.label == r.label && $0.text == r.text }, "unexpected \(r.label) '\(r.text)'")
        }
    }

    @Test("spans carry the piece's name, label, priority, source and named groups")
    func spanFields() throws {
        let (spans, _) = Self.pack.matches(in: "Due 2023-03-02.")
        let s = try #require(spans.first { $0.name == "date-iso" })
        #expect(s.label == "DATE" && s.source == .pattern && s.priority == 12)
        #expect((s.matchStart, s.matchEnd) == (4, 14))
        #expect(s.groups == [NamedGroup(name: "year", value: "2023"), NamedGroup(name: "month", value: "03"), NamedGroup(name: "day", value: "02")])
    }

    @Test("patterns with lang: en do not run on other languages")
    func language() {
        #expect(Self.pack.matches(in: "Up 12% on 2023-03-02", lang: "en-AU").spans.count >= 2)
        #expect(Self.pack.matches(in: "Up 12% on 2023-03-02", lang: "de").spans.isEmpty)
    }

    @Test("glean patterns check's own run of the examples finds no fault in the default pack")
    func checkFindsNothing() throws {
        let (set, errors) = PatternSet.check(files: try PatternSet.defaultPackFiles())
        #expect(errors.isEmpty, "\(errors.map(\.description))")
        #expect(set?.count == Self.pack.count)
    }

    @Test("every piece fits on a screen: a regex as written of at most 600 characters")
    func readable() {
        for d in Self.pack.definitions {
            #expect((d.source ?? d.regex).count <= 600, "\(d.name): \((d.source ?? d.regex).count) characters")
        }
    }
}

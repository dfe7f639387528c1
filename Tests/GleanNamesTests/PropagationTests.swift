import GleanCore
import GleanNames
import GleanSegment
import Testing

/// Entities as a resolution would leave them, by surface (first occurrence after the previous).
func entities(_ text: String, _ items: [(String, String, String)]) throws -> Document {
    var doc = Document(text)
    try Segmenter().segment(&doc, sentences: false)
    var from = text.startIndex
    for (label, surface, kb) in items {
        let r = text.range(of: surface, range: from..<text.endIndex)!
        from = r.upperBound
        let start = text.utf8.distance(from: text.startIndex, to: r.lowerBound), end = start + surface.utf8.count
        var s = Span(matchStart: start, matchEnd: end, label: label, kbId: kb, source: .gazetteer, name: surface)
        s.firstToken = doc.tokens.firstIndex { $0.start == start }!
        s.endToken = doc.tokens.firstIndex { $0.end == end }! + 1
        doc.entities.append(s)
    }
    return doc
}

@Suite struct PropagationTables {
    static let rows: [(name: String, text: String, before: [(String, String, String)], after: [String])] = [
        ("a surname fills a gap", "Winston Churchill spoke. Later Churchill left.",
         [("PERSON", "Winston Churchill", "")], ["PERSON Winston Churchill", "PERSON Churchill"]),
        ("a surname replaces a town", "Winston Churchill spoke. Churchill is also a town.",
         [("PERSON", "Winston Churchill", ""), ("GPE", "Churchill", "GeoNames:1")], ["PERSON Winston Churchill", "PERSON Churchill"]),
        ("possessive", "Lleyton Hewitt lost. After Hewitt's defeat we won.",
         [("PERSON", "Lleyton Hewitt", "")], ["PERSON Lleyton Hewitt", "PERSON Hewitt"]),
        ("not before the full name", "Churchill is a town. Winston Churchill spoke.",
         [("GPE", "Churchill", "GeoNames:1"), ("PERSON", "Winston Churchill", "")], ["GPE Churchill GeoNames:1", "PERSON Winston Churchill"]),
        ("a longer entity is kept", "Sam Houston lived. The Houston Astros won.",
         [("PERSON", "Sam Houston", ""), ("ORG", "Houston Astros", "")], ["PERSON Sam Houston", "ORG Houston Astros"]),
        ("acronym with kb_id", "The Institute for the Study of War (ISW) said. ISW added.",
         [("ORG", "Institute for the Study of War", "Q1")], ["ORG Institute for the Study of War Q1", "ORG ISW Q1", "ORG ISW Q1"]),
        ("acronym that does not match", "The Institute for the Study of War (IW) said. IW added.",
         [("ORG", "Institute for the Study of War", "")], ["ORG Institute for the Study of War"]),
        ("lower case is not a mention", "Pat Stone spoke. The stone fell.",
         [("PERSON", "Pat Stone", "")], ["PERSON Pat Stone"]),
        ("a particle before the surname comes with it", "Osama bin Laden fled. Later bin Laden and Bin Laden hid.",
         [("PERSON", "Osama bin Laden", "")], ["PERSON Osama bin Laden", "PERSON bin Laden", "PERSON Bin Laden"]),
        ("the whole name again", "Nantie Haywood batted. The wicket of Nantie Haywood fell.",
         [("PERSON", "Nantie Haywood", "")], ["PERSON Nantie Haywood", "PERSON Nantie Haywood"]),
        ("a one-word mention gives way to the longer", "Osama bin Laden fled. Later bin Laden hid.",
         [("PERSON", "Osama bin Laden", ""), ("PERSON", "Laden", "")], ["PERSON Osama bin Laden", "PERSON bin Laden"]),
        ("another given name stays out", "Mark Waugh bowled. Then Steve Waugh batted.",
         [("PERSON", "Mark Waugh", "")], ["PERSON Mark Waugh", "PERSON Waugh"]),
        ("not across punctuation", "Nantie Haywood batted. Nantie, Haywood said, fell.",
         [("PERSON", "Nantie Haywood", "")], ["PERSON Nantie Haywood", "PERSON Haywood"]),
        ("a company's first word fills a gap", "Phillips Petroleum delayed it. Today Phillips said yes, a Phillips spokesman said.",
         [("ORG", "Phillips Petroleum", "")], ["ORG Phillips Petroleum", "ORG Phillips", "ORG Phillips"]),
        ("a company's first word keeps another entity", "Virgin Group grew. Virgin Blue flew to Virgin.",
         [("ORG", "Virgin Group", ""), ("ORG", "Virgin Blue", ""), ("GPE", "Virgin", "")], ["ORG Virgin Group", "ORG Virgin Blue", "GPE Virgin"]),
        ("not before a capitalised word", "Phillips Petroleum delayed it. Phillips Smith said no.",
         [("ORG", "Phillips Petroleum", "")], ["ORG Phillips Petroleum"]),
        ("not a word before another head", "The Reserve Bank cut rates. The Reserve said so.",
         [("ORG", "Reserve Bank", "")], ["ORG Reserve Bank"]),
        ("not before the company", "Phillips said. Phillips Petroleum delayed it.",
         [("ORG", "Phillips Petroleum", "")], ["ORG Phillips Petroleum"]),
        ("not over an entity", "Osama bin Laden fled. In Bin Laden Street.",
         [("PERSON", "Osama bin Laden", ""), ("ORG", "Bin", "")], ["PERSON Osama bin Laden", "ORG Bin", "PERSON Laden"]),
    ]

    /// Rules that depend on how the first entity was found: its source and rule are given here.
    static let ruleRows: [(name: String, text: String, source: SpanSource, rule: String, before: [(String, String, String)], after: [String])] = [
        ("a title's one-word PERSON labels a later mention", "President Musharraf spoke. Later Musharraf left.", .pattern, "person-title",
         [("PERSON", "Musharraf", "")], ["PERSON Musharraf", "PERSON Musharraf"]),
        ("not a one-word PERSON of another rule", "Musharraf spoke. Later Musharraf left.", .names, "person:given",
         [("PERSON", "Musharraf", "")], ["PERSON Musharraf"]),
        ("an ORG before a title labels later mentions", "Qantas Chief Executive Geoff Dixon said. Qantas workers struck.", .names, "org:title",
         [("ORG", "Qantas", "")], ["ORG Qantas", "ORG Qantas"]),
        ("not an ORG of another rule", "Qantas Chief Executive Geoff Dixon said. Qantas workers struck.", .gazetteer, "Qantas",
         [("ORG", "Qantas", "")], ["ORG Qantas"]),
        ("a given name fills a gap", "Arnaud Clement lost. \"Arnaud is a scrapper,\" he said.", .names, "person:given",
         [("PERSON", "Arnaud Clement", "")], ["PERSON Arnaud Clement", "PERSON Arnaud"]),
        ("the given name of a name with a particle fills a gap", "Osama bin Laden fled. \"Osama himself is hiding,\" he said.", .names,
         "person:particle", [("PERSON", "Osama bin Laden", "")], ["PERSON Osama bin Laden", "PERSON Osama"]),
        ("not an ambiguous given name", "Mark Taylor spoke. Mark the date.", .names, "person:given-ambiguous",
         [("PERSON", "Mark Taylor", "")], ["PERSON Mark Taylor"]),
        ("not another rule", "Arnaud Clement lost. Arnaud is a scrapper.", .pattern, "person-title",
         [("PERSON", "Arnaud Clement", "")], ["PERSON Arnaud Clement"]),
        ("not before a capitalised word", "Arnaud Clement lost. Arnaud Di Pasquale won.", .names, "person:given",
         [("PERSON", "Arnaud Clement", "")], ["PERSON Arnaud Clement"]),
        ("the writer named after an address signs with the given name, over a place", "x@y.edu (Brian Day) writes:\n> Go.\n Brian",
         .pattern, "person-after-address", [("PERSON", "Brian Day", ""), ("GPE", "Brian", "")], ["PERSON Brian Day", "PERSON Brian"]),
        ("the writer's given name fills a gap", "x@y.edu (Brian Day) writes:\n> Go.\n Brian",
         .pattern, "person-after-address", [("PERSON", "Brian Day", "")], ["PERSON Brian Day", "PERSON Brian"]),
        ("not the writer's given name before a capitalised word", "x@y.edu (Brian Day) writes:\n> Go to Brian Head.",
         .pattern, "person-after-address", [("PERSON", "Brian Day", ""), ("GPE", "Brian Head", "")], ["PERSON Brian Day", "GPE Brian Head"]),
        ("not a surname first", "x@y.edu (Day, Brian) writes:\n> Go.\n Day",
         .pattern, "person-after-address", [("PERSON", "Day, Brian", "")], ["PERSON Day, Brian"]),
        ("an entity is kept", "Paris Hilton came. Paris is big.", .names, "person:given",
         [("PERSON", "Paris Hilton", ""), ("GPE", "Paris", "GeoNames:1")], ["PERSON Paris Hilton", "GPE Paris GeoNames:1"]),
    ]

    @Test(arguments: ruleRows.indices)
    func rule(_ i: Int) throws {
        let r = Self.ruleRows[i]
        var doc = try entities(r.text, r.before)
        doc.entities[0].source = r.source
        doc.entities[0].name = r.rule
        Propagation.apply(&doc)
        let got = doc.entities.map { "\($0.label) \(doc.string($0.start, $0.end))" + ($0.kbId.isEmpty ? "" : " \($0.kbId)") }
        #expect(got == r.after, "\(r.name)")
    }

    /// An ORG before a corporate title labels the mentions before it too.
    @Test func organisationBeforeItsDefinition() throws {
        var doc = try entities("Qantas flies. Qantas Chief Executive Geoff Dixon said.", [("ORG", "Qantas", ""), ("ORG", "Qantas", "")])
        doc.entities.removeFirst()
        doc.entities[0].source = .names
        doc.entities[0].name = "org:title"
        Propagation.apply(&doc)
        #expect(doc.entities.map { "\($0.label) \(doc.string($0.start, $0.end)) \($0.start)" } == ["ORG Qantas 0", "ORG Qantas 14"])
    }

    @Test(arguments: rows.indices)
    func row(_ i: Int) throws {
        let r = Self.rows[i]
        var doc = try entities(r.text, r.before)
        Propagation.apply(&doc)
        let got = doc.entities.map { "\($0.label) \(doc.string($0.start, $0.end))" + ($0.kbId.isEmpty ? "" : " \($0.kbId)") }
        #expect(got == r.after, "\(r.name)")
        let changed = doc.entities.filter { $0.source == .propagation }
        #expect(doc[group: Propagation.group].count == changed.count)
    }
}

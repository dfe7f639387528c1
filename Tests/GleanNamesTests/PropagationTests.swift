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
    ]

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

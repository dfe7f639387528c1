import Foundation
import Glean
import GleanTestSupport
import Testing

/// `glean render`'s escaping and page: hostile strings never reach the page as markup, and
/// every entity of a record is one `<mark>` holding exactly its text.
struct RenderTests {
    /// Strings that break naive HTML or script embedding.
    static let hostile: [String] = [
        "<script>document.title='PWNED'</script>",
        "\"><img src=x onerror=\"document.body.dataset.pwned=1\">",
        "'><svg onload=alert(1)>",
        "</script><script>document.title='PWNED'</script>",
        "<!-- <script>",
        "javascript:alert(1)",
        "<a href=\"javascript:alert(1)\">x</a>",
        "&lt;already escaped&gt; &amp; &#60;",
        "</textarea></style></title><b>",
        "a\u{2028}b\u{2029}c",
        "nul\u{0}byte",
        "crlf\r\nline\rcr",
        "<\u{0}script>",
        "\\u003cscript\\u003e",
        "]]></mark>\"'`=<>",
        "مرحبا <b>بالعالم</b>",
        "東京で<i>会議</i>",
    ]

    /// A reference decoder for the five references `HTMLEscaping.html` writes.
    /// Works on code units, not characters: a reference followed by a combining mark is still one.
    static func unescapeHTML(_ s: String) -> String {
        var out = s as NSString
        for (ref, c) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#13;", "\r"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: ref, with: c, options: .literal, range: NSRange(location: 0, length: out.length)) as NSString
        }
        return out as String
    }

    static func withoutNUL(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
    }

    @Test(arguments: hostile)
    func htmlEscapingLeavesNoMarkupAndRoundTrips(_ s: String) {
        let e = HTMLEscaping.html(s)
        for c in ["<", ">", "\"", "'", "\u{0}", "\r"] { #expect(!e.unicodeScalars.contains(c.unicodeScalars.first!), "\(c) in \(e)") }
        // Every & starts one of the references we write.
        let ampersands = e.components(separatedBy: "&").dropFirst()
        #expect(ampersands.allSatisfy { part in ["lt;", "gt;", "quot;", "#39;", "#13;", "amp;"].contains { part.hasPrefix($0) } })
        #expect(Self.unescapeHTML(e) == Self.withoutNUL(s))
    }

    @Test(arguments: hostile)
    func jsonEscapingIsSafeInScriptAndRoundTrips(_ s: String) throws {
        let j = HTMLEscaping.jsonString(s)
        for c in ["<", ">", "&", "\u{2028}", "\u{2029}", "\u{0}"] { #expect(!j.contains(c), "\(c) in \(j)") }
        let decoded = try JSONSerialization.jsonObject(with: Data(j.utf8), options: [.fragmentsAllowed]) as? String
        #expect(decoded == Self.withoutNUL(s))
    }

    @Test func jsonEscapingRoundTripsRandomStrings() throws {
        var rng = TestRandom("jsonEscapingRoundTripsRandomStrings")
        for _ in 0..<2000 {
            let s = rng.string(maxLength: 40)
            let j = HTMLEscaping.jsonString(s)
            let decoded = try JSONSerialization.jsonObject(with: Data(j.utf8), options: [.fragmentsAllowed]) as? String
            #expect(decoded == Self.withoutNUL(s), "\(rng.label)")
            #expect(!j.contains("<") && !j.contains(">"))
            #expect(Self.unescapeHTML(HTMLEscaping.html(s)) == Self.withoutNUL(s), "\(rng.label)")
        }
    }

    /// A record whose text, id, labels, kb ids and names are all hostile.
    static func hostileRecord() -> AnnotatedRecord {
        let text = hostile.joined(separator: " | ")
        var ents: [AnnotatedEntity] = []
        var offset = 0
        for (i, h) in hostile.enumerated() {
            let n = h.unicodeScalars.count
            if i % 2 == 0 {
                ents.append(AnnotatedEntity(start: offset, end: offset + n, label: i % 4 == 0 ? "GPE" : h,
                                            kbId: h, source: "gazetteer", name: h))
            }
            offset += n + 3
        }
        return AnnotatedRecord(id: "</script><script>document.title='id'</script>", text: text, lang: "\"><b>",
                               sentences: [0..<5, 5..<text.unicodeScalars.count], entities: ents, warnings: ["<b>warn</b>"])
    }

    @Test func hostilePageHasOnlyItsOwnMarkup() {
        var options = RenderOptions()
        options.sentences = true
        options.title = "<title>x</title>"
        var page = RenderPage(options: options)
        page.add(Self.hostileRecord())
        let html = page.html()
        // The page's own two script elements, and no other.
        #expect(html.components(separatedBy: "<script").count - 1 == 2)
        #expect(html.components(separatedBy: "</script").count - 1 == 2)
        for tag in ["<img", "<svg", "<b>", "<i>", "<a ", "<!--", "<textarea", "</style></title>"] {
            #expect(!html.contains(tag), "\(tag) in the page")
        }
        #expect(!html.contains("javascript:alert(1)\""))
        // The embedded JSON parses and holds the id as it was.
        let start = html.range(of: "<script type=\"application/json\" id=\"glean-data\">")!.upperBound
        let end = html.range(of: "</script>", range: start..<html.endIndex)!.lowerBound
        let data = try? JSONSerialization.jsonObject(with: Data(html[start..<end].utf8)) as? [String: Any]
        let docs = data?["documents"] as? [[String: Any]]
        #expect(docs?.first?["id"] as? String == "</script><script>document.title='id'</script>")
    }

    /// The marks of a page: (label, text) in order, unescaped.
    static func marks(_ html: String) -> [(label: String, text: String)] {
        let re = try! NSRegularExpression(pattern: "<mark class=\"ent l[0-9]+\" data-label=\"([^\"]*)\"[^>]*>(.*?)</mark>", options: [.dotMatchesLineSeparators])
        let ns = html as NSString
        return re.matches(in: html, range: NSRange(location: 0, length: ns.length)).map { m in
            let text = ns.substring(with: m.range(at: 2)).replacingOccurrences(of: "<span class=\"sb\" title=\"sentence [0-9]+\"></span>", with: "", options: .regularExpression)
            return (unescapeHTML(ns.substring(with: m.range(at: 1))), unescapeHTML(text))
        }
    }

    @Test func everyEntityIsOneMarkWithItsText() {
        let record = Self.hostileRecord()
        for sentences in [false, true] {
            var options = RenderOptions()
            options.sentences = sentences
            var page = RenderPage(options: options)
            page.add(record)
            let marks = Self.marks(page.html())
            let expected = record.entities!.map { (Self.withoutNUL($0.label), Self.withoutNUL(record.entityText($0))) }
            #expect(marks.map(\.label) == expected.map(\.0))
            #expect(marks.map(\.text) == expected.map(\.1))
            #expect(page.entities == expected.count)
        }
    }

    @Test func labelFilterOverlapsAndRangesAndSentenceMarkers() {
        let text = "Paris and Rome, then Berlin."
        let ents = [AnnotatedEntity(start: 0, end: 5, label: "GPE"), AnnotatedEntity(start: 2, end: 8, label: "ORG"),
                    AnnotatedEntity(start: 10, end: 14, label: "GPE"), AnnotatedEntity(start: 21, end: 27, label: "LOC"),
                    AnnotatedEntity(start: 25, end: 99, label: "GPE")]
        let record = AnnotatedRecord(text: text, sentences: [0..<15, 16..<28], entities: ents)
        var options = RenderOptions()
        options.labels = ["GPE", "LOC"]
        options.sentences = true
        var page = RenderPage(options: options)
        page.add(record)
        let html = page.html()
        #expect(Self.marks(html).map(\.text) == ["Paris", "Rome", "Berlin"])
        #expect(page.skippedEntities == 1)  // out of range; ORG is filtered, not skipped
        #expect(page.labelCounts == ["GPE": 2, "LOC": 1])
        #expect(html.components(separatedBy: "<span class=\"sb\"").count - 1 == 1)
        // Text between the marks is kept, whitespace and all.
        #expect(html.contains("</mark> and <mark"))
        #expect(html.contains("dir=\"auto\""))
    }

    /// Foundation's JSON parser drops U+FEFF inside strings; the reader keeps the text exact.
    @Test func byteOrderMarkInTheTextKeepsOffsets() throws {
        let r = try AnnotatedRecord(json: "{\"id\":\"\u{FEFF}a\",\"text\":\"\u{FEFF}In \u{FEFF}Paris.\",\"ents\":[{\"start\":5,\"end\":10,\"label\":\"GPE\"}]}")
        #expect(r.text.unicodeScalars.count == 11)
        #expect(r.entityText(r.entities![0]) == "Paris")
        #expect(r.id == "\u{FEFF}a")
    }

    /// Tokens are counted without being decoded: strings holding commas and brackets, nesting.
    @Test(arguments: [("[]", 0), ("[ ]", 0), ("[1]", 1), ("[[1,2],[3]]", 2), (#"[{"id":0,"kind":"a,]b\"}"},{"id":1}]"#, 2),
                      (#"["x", "y,z", ""]"#, 3), ("[{}, {}, {}, {}]", 4)])
    func tokensAreCounted(_ tokens: String, _ count: Int) throws {
        let r = try AnnotatedRecord(json: #"{"text":"t","tokens":"# + tokens + #","ents":[]}"#)
        #expect(r.tokenCount == count)
        #expect(try AnnotatedRecord(json: #"{"text":"t","starts":"# + tokens + "}").tokenCount == count)
    }

    @Test func linesThatAreNotRecordsSayWhy() {
        for (line, reason) in [("not json", "not JSON"), ("[1]", "a record must be a JSON object"), (#"{"id":1}"#, "no \"text\" field"),
                               (#"{"text":5}"#, "not a string"), (#"{"text":"a","ents":[{"start":0}]}"#, "an entity needs")] {
            #expect(throws: AnnotatedRecord.FormatError.self) { try AnnotatedRecord(json: line) }
            do { _ = try AnnotatedRecord(json: line) } catch { #expect("\(error)".contains(reason), "\(line): \(error)") }
        }
        let e = try? AnnotatedRecord(json: #"{"source":"a.jsonl","line":3,"offset":9,"reason":"no \"text\" field"}"#)
        #expect(e?.isErrorRecord == true && e?.errorReason == "no \"text\" field")
    }

    @Test func recordFromDocumentUsesCodePoints() throws {
        var doc = Document("Zürich 東京 Paris")
        doc.entities = [Span(matchStart: 15, matchEnd: 20, label: "GPE", source: .gazetteer, name: "Paris")]
        let r = AnnotatedRecord(document: doc)
        #expect(r.entities?.first?.start == 10)
        #expect(r.entityText(r.entities![0]) == "Paris")
        let parsed = try AnnotatedRecord(json: #"{"id":7,"text":"Zürich 東京 Paris","ents":[{"start":10,"end":15,"label":"GPE","kb_id":"Q90","source":"gazetteer","alias":"Paris"}]}"#)
        #expect(parsed.id == "7")
        #expect(parsed.entities == [AnnotatedEntity(start: 10, end: 15, label: "GPE", kbId: "Q90", source: "gazetteer", name: "Paris")])
    }
}

import Foundation
@testable import Glean
import GleanCore
import GleanTestSupport
import Testing

/// A large record is printed as a stream (``OutputSpill``): the pieces handed over, joined, are
/// the bytes of the record printed whole, for every printer that streams and every offset unit.
/// And the compact layouts of the document's layers hold their values.
struct StreamingTests {
    /// One record of about 1.3 MB of real text, several scripts (so that code point and UTF-16
    /// offsets differ from bytes), with an escape and a pass-through field after the text.
    static let largeRecord: [UInt8] = {
        let texts = (try? CorpusTexts.load(limitPerFile: 40)) ?? []
        var text = texts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        if text.isEmpty { text = "Sydney's west, né 5 🙂 東京 \"quoted\" and Mr John Smith on 3 May 2021." }
        var long = ""
        while long.utf8.count < 1_300_000 { long += text + "\n" }
        var w = JSONWriter()
        w.raw("{\"id\":\"big\",\"text\":")
        w.string(long)
        w.raw(",\"meta\":{\"n\":[1,2,3]}}")
        return w.bytes
    }()

    static func printWhole(_ format: OutputFormat, unit: OffsetUnit, emit: EmitSet,
                           spillThreshold: Int?, keep: Bool = false) throws -> (whole: [UInt8], pieces: Int) {
        var configuration = AnnotatorConfiguration()
        configuration.offsets = unit
        configuration.emit = emit
        configuration.outputFormat = format
        let annotator = try Annotator(configuration: configuration)
        let worker = try annotator.makeWorker()
        let decoder = JSONLDecoder(configuration: configuration, source: "big.jsonl")
        let printer = format.makePrinter(configuration: configuration)
        var streamed: [UInt8] = []
        var pieces = 0
        let spill = spillThreshold.map { threshold in
            OutputSpill(threshold: threshold) { out in
                pieces += 1
                if keep { return }
                streamed += out.bytes
                out.removeAll()
            }
        }
        var out = JSONWriter()
        try largeRecord.withUnsafeBufferPointer { bytes in
            try decoder.decode(bytes, line: 1) { record in
                try worker.annotate(&record.document)
                // Entities on every seventh word (the library's default configuration loads no
                // models), with an id and a value now and then.
                var doc = record.document
                for (i, t) in doc.tokens.enumerated() where t.kind == .word && i % 7 == 0 {
                    var e = Span(matchStart: t.start, matchEnd: t.end, label: i % 2 == 0 ? "GPE" : "PERSON",
                                 kbId: i % 3 == 0 ? "Q\(i)" : "", source: .gazetteer, name: doc.string(t.start, t.end),
                                 value: i % 5 == 0 ? "v\(i)" : nil)
                    e.firstToken = i
                    e.endToken = i + 1
                    doc.entities.append(e)
                }
                doc.spanGroups[1].spans = doc.entities
                #expect(doc.entities.count > 1000)
                printer.print(doc, record: record, into: &out, spill: spill)
            }
        }
        return (streamed + out.bytes, pieces)
    }

    @Test(arguments: [(OutputFormat.jsonl, OffsetUnit.codepoint), (.jsonl, .utf16), (.jsonl, .utf8),
                      (.compact, .codepoint), (.entities(.csv), .codepoint), (.entities(.jsonl), .utf16)])
    func piecesJoinedAreTheWholeRecord(format: OutputFormat, unit: OffsetUnit) throws {
        let emit: EmitSet = [.tokens, .sents, .ents, .spans]
        let whole = try Self.printWhole(format, unit: unit, emit: emit, spillThreshold: nil).whole
        let streamed = try Self.printWhole(format, unit: unit, emit: emit, spillThreshold: 4096)
        // The record (tokens, text pieces) in many pieces; an entity table between rows.
        #expect(streamed.pieces > (format == .jsonl || format == .compact ? 10 : 1), "a large record is handed over in pieces")
        #expect(streamed.whole == whole)
        // A writer that keeps the bytes (a --max-errors cut may fall before them) changes nothing.
        let kept = try Self.printWhole(format, unit: unit, emit: emit, spillThreshold: 4096, keep: true)
        #expect(kept.whole == whole)
    }

    @Test func compactLayoutsHoldTheirValues() {
        #expect(MemoryLayout<Token>.stride == 8)
        #expect(MemoryLayout<Sentence>.stride == 16)
        #expect(MemoryLayout<Span>.stride <= 88)
        let top = Document.maximumTextBytes
        for (start, end) in [(0, 0), (0, 1), (top - 1, top), (12_345, 678_901), (top - 1, top - 1)] {
            for kind in TokenKind.allCases {
                var t = Token(start: start, end: end, kind: kind)
                #expect(t.start == start && t.end == end && t.kind == kind)
                t.start = end == 0 ? 0 : end - 1
                t.end = end
                #expect(t.start == (end == 0 ? 0 : end - 1) && t.end == end && t.kind == kind)
                let other = TokenKind.allCases[(Int(kind.rawValue) + 1) % TokenKind.allCases.count]
                t.kind = other
                #expect(t.kind == other && t.end == end)
            }
        }
        var s = Span(matchStart: 3, matchEnd: top, label: "X", source: .pattern, name: "n")
        s.firstToken = 1
        s.endToken = top
        #expect(s.start == 3 && s.end == top && s.matchStart == 3 && s.matchEnd == top && s.tokenLength == top - 1)
        // The boxed fields: set, read back, compared by value, emptied.
        #expect(s.kbIds.isEmpty && s.groups.isEmpty && s.value == nil)
        var t = s
        t.kbIds = ["Q1", "Q2"]
        t.groups.append(NamedGroup(name: "day", value: "3"))
        t.value = "2021-05-03"
        #expect(t.kbIds == ["Q1", "Q2"] && t.groups == [NamedGroup(name: "day", value: "3")] && t.value == "2021-05-03")
        #expect(s.kbIds.isEmpty && t != s)
        var u = Span(matchStart: 3, matchEnd: top, label: "X", kbIds: ["Q1", "Q2"], source: .pattern, name: "n",
                     groups: [NamedGroup(name: "day", value: "3")], value: "2021-05-03")
        u.firstToken = 1
        u.endToken = top
        #expect(u == t)
        t.kbIds = []
        t.groups = []
        t.value = nil
        #expect(t == s)
        let sentence = Sentence(start: 0, end: top, firstToken: 0, endToken: top / 2)
        #expect(sentence.end == top && sentence.endToken == top / 2)
    }
}

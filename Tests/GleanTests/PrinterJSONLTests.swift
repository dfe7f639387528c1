import Foundation
@testable import Glean
import GleanTestSupport
import Testing

/// The JSONL writer's parts against references: integers against Swift's own formatting, the
/// one-pass offset mapping against ``OffsetMapper``, and the compact printer against the JSONL one.
struct PrinterJSONLTests {
    @Test func integersMatchSwiftsFormatting() {
        var rng = TestRandom("integers")
        var values = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 9999, 10_000, 99_999, 100_000, 999_999, 1_000_000,
                      9_999_999, 10_000_000, 99_999_999, 100_000_000, 999_999_999, 1_000_000_000, Int.max, -1, -10, -987_654, Int.min + 1, Int.min]
        for _ in 0..<2000 { values.append(Int(truncatingIfNeeded: rng.next()) >> Int(rng.next() % 63)) }
        var w = JSONWriter(capacity: 16)
        for v in values {
            w.removeAll()
            w.int(v)
            #expect(String(decoding: w.bytes, as: UTF8.self) == String(v), "\(rng.label)")
            if v >= 0 { #expect(JSONWriter.digitCount(v) == String(v).count) }
        }
    }

    /// The word-at-a-time string escaper against a byte-by-byte reference (RFC 8259's escapes),
    /// on random strings dense in quotes, backslashes, control characters and non-ASCII text.
    @Test func stringEscapesMatchANaiveReference() {
        var rng = TestRandom("escapes")
        let alphabet: [String] = ["a", "b", " ", "\"", "\\", "\n", "\t", "\r", "\u{0}", "\u{1F}", "\u{7F}", "é", "東", "🙂", "/", "\u{8}", "\u{C}"]
        func reference(_ s: String) -> String {
            var out = "\""
            for u in s.utf8 {
                switch u {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                case 0x08: out += "\\b"
                case 0x0C: out += "\\f"
                case 0..<0x20: out += String(format: "\\u%04x", u)
                default: out.unicodeScalars.append(Unicode.Scalar(u))  // ASCII; multi-byte handled below
                }
            }
            return out + "\""
        }
        var w = JSONWriter(capacity: 8)
        for _ in 0..<3000 {
            var s = ""
            for _ in 0..<Int(rng.next() % 40) { s += alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            if rng.next() % 4 == 0 { s = String(repeating: "plain text ", count: Int(rng.next() % 5)) + s }
            w.removeAll()
            w.string(s)
            var bytes: [UInt8] = []
            // The reference on bytes: escapes for the special bytes, every other byte as is.
            bytes.append(0x22)
            for u in s.utf8 {
                if u < 0x20 || u == 0x22 || u == 0x5C { bytes += Array(reference(String(UnicodeScalar(u))).utf8.dropFirst().dropLast()) } else { bytes.append(u) }
            }
            bytes.append(0x22)
            #expect(w.bytes == bytes, "\(rng.label): \(s.debugDescription)")
        }
    }

    /// The token ids' decimal counter against Swift's formatting, over every carry up to 10^6
    /// and the last ones before 10^8.
    @Test func decimalCounterCountsLikeSwift() {
        var counter = DecimalCounter()
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 8)
        defer { p.deallocate() }
        for i in 0..<1_000_000 {
            let n = counter.write(to: p)
            if String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) != String(i) {
                Issue.record("counter wrote \(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)) for \(i)")
                return
            }
            counter.increment()
        }
    }

    @Test(arguments: [OffsetUnit.codepoint, .utf16, .utf8])
    func onePassOffsetsEqualTheTable(unit: OffsetUnit) throws {
        var rng = TestRandom("offsets-\(unit)")
        let annotator = try Annotator(configuration: AnnotatorConfiguration())
        for _ in 0..<200 {
            var text = ""
            for _ in 0..<Int(rng.next() % 12) { text += rng.string(maxLength: 10) + (rng.next() % 3 == 0 ? "  " : " ") }
            let doc = try annotator.annotate(text)
            var offsets = DocumentOffsets(doc, unit: unit)
            let table = doc.text.withUnsafeBufferPointer { OffsetMapper(text: $0, unit: unit) }
            for (i, t) in doc.tokens.enumerated() {
                #expect(offsets.start(of: i, byte: t.start) == table(t.start), "\(rng.label)")
                #expect(offsets.end(of: i, byte: t.end) == table(t.end), "\(rng.label)")
            }
            for b in stride(from: 0, through: doc.text.count, by: 3) where b == doc.text.count || doc.text[b] & 0xC0 != 0x80 {
                #expect(offsets.map(b) == table(b))
            }
        }
    }

    /// The compact printer writes the same record with the tokens as columns.
    @Test(arguments: [OffsetUnit.codepoint, .utf16])
    func compactEqualsJSONLWithTokenColumns(unit: OffsetUnit) throws {
        let scratch = Scratch("compact")
        let input = PrinterRun.corpus(in: scratch)
        let jsonl = try PrinterRun.run([input], in: scratch, output: "a.jsonl", format: .jsonl, offsets: unit)
        let compact = try PrinterRun.run([input], in: scratch, output: "b.jsonl", format: .compact, offsets: unit)
        let full = try jsonLines(jsonl.bytes), columns = try jsonLines(compact.bytes)
        try #require(full.count == columns.count && full.count > 5)
        let kindNames = TokenKind.allCases.map(\.name)
        for (a, b) in zip(full, columns) {
            let t = try #require(b["tokens"] as? [String: [Int]])
            let expected = a.tokens
            #expect(t["starts"] == expected.map(\.start))
            #expect(t["ends"] == expected.map(\.end))
            #expect(t["kinds"]?.map { kindNames[$0] } == expected.map(\.kind))
            // Everything but the tokens is byte for byte the same.
            #expect(a.keys == b.keys)
            for key in a.keys where key != "tokens" { #expect(a.raw(key) == b.raw(key)) }
        }
        #expect(compact.bytes.count < jsonl.bytes.count)
    }

    /// JSONL records never gain fields; records made from text files carry `file`, and `line` with `--lines`.
    @Test func textRecordsCarryFileAndLine() throws {
        let scratch = Scratch("text-fields")
        let txt = scratch.write("in/notes.txt", "Paris in June.\nBerlin in May.\n")
        let whole = try PrinterRun.run([txt], in: scratch, output: "whole.jsonl", format: .jsonl)
        let wholeLines = try jsonLines(whole.bytes)
        #expect(wholeLines.map(\.keys.first) == ["text"])
        #expect(wholeLines.map { $0.string("file") } == [txt])
        #expect(wholeLines.allSatisfy { $0.raw("line") == nil })
        let perLine = try PrinterRun.run([txt], in: scratch, output: "lines.jsonl", format: .jsonl, textLines: true)
        let lines = try jsonLines(perLine.bytes)
        #expect(lines.map { $0.string("text") } == ["Paris in June.", "Berlin in May."])
        #expect(lines.map { $0.raw("line") } == ["1", "2"])
        #expect(lines.allSatisfy { $0.string("file") == txt })

        let jsonlInput = scratch.write("in/a.jsonl", #"{"b":1,"text":"Paris.","a":[2]}"# + "\n")
        let out = try jsonLines(try PrinterRun.run([jsonlInput], in: scratch, output: "j.jsonl", format: .jsonl).bytes)
        #expect(out.map(\.keys) == [["b", "text", "a", "tokens", "sents", "ents", "spans"]])
    }

    /// Every printer's output is the same for 1 and 3 threads.
    @Test(arguments: [OutputFormat.jsonl, .compact, .spacy, .entities(.csv), .entities(.tsv), .entities(.jsonl)])
    func threadCountDoesNotChangeOutput(format: OutputFormat) throws {
        let scratch = Scratch("printer-threads")
        var lines: [String] = []
        let base = try String(contentsOfFile: PrinterRun.corpus(in: scratch), encoding: .utf8).split(separator: "\n")
        for copy in 0..<40 { for r in base { lines.append(r.hasPrefix("{\"") ? "{\"copy\":\(copy)," + r.dropFirst() : String(r)) } }
        let input = scratch.write("many.jsonl", lines.joined(separator: "\n") + "\n")
        let one = try PrinterRun.run([input], in: scratch, output: "one", format: format, threads: 1)
        let three = try PrinterRun.run([input], in: scratch, output: "three", format: format, threads: 3)
        #expect(one.bytes == three.bytes)
        #expect(!one.bytes.isEmpty)
        #expect(one.summary.statistics.errors == 40 * 2)
    }
}

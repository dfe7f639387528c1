@testable import Glean
import GleanCore
import GleanTestSupport
import Testing

/// The token writer's parts: digit pairs, the fixed fragments as words, the word-at-a-time
/// character counter and the offset cursor, each against a plain reference kept here; and the
/// whole `"tokens"` member against a rendering built with Swift's own formatting.
struct PrinterTokenWriterTests {
    // MARK: Integers

    static let numbers = [0, 1, 9, 10, 11, 19, 20, 99, 100, 101, 109, 110, 999, 1000, 1009, 9999, 10_000, 99_999,
                          100_000, 999_999, 1_000_000, 9_999_999, 10_000_000, 99_999_999, 100_000_000, 1 << 30,
                          999_999_999_999, Int.max]

    /// Exactly the digits, and no byte after them touched.
    @Test(arguments: numbers)
    func digitsAreSwiftsFormatting(value: Int) {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 24)
        defer { p.deallocate() }
        p.initialize(repeating: 0xEE, count: 24)
        let n = JSONWriter.digits(value, at: p)
        #expect(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) == String(value))
        #expect((n..<24).allSatisfy { p[$0] == 0xEE })
        #expect(JSONWriter.digitCount(value) == n)
    }

    @Test func digitsMatchSwiftOnRandomValues() {
        var rng = TestRandom("digits")
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 24)
        defer { p.deallocate() }
        for _ in 0..<20_000 {
            let v = Int(truncatingIfNeeded: rng.next() >> (1 + rng.next() % 63))
            let n = JSONWriter.digits(v, at: p)
            #expect(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) == String(v), "\(rng.label)")
        }
    }

    /// The id counter over its carries: 9 to 10, 99 to 100, ... up to 10^7.
    @Test func decimalCounterCarries() {
        var counter = DecimalCounter()
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 8)
        defer { p.deallocate() }
        let checks = [0, 9, 10, 11, 99, 100, 101, 999, 1000, 9999, 10_000, 99_999, 100_000, 999_999, 1_000_000, 9_999_999, 10_000_000]
        var next = 0
        for i in 0...10_000_000 {
            let checked = next < checks.count && checks[next] == i
            if checked { next += 1 }
            if checked || i % 9_973 == 0 {
                let n = counter.write(to: p)
                #expect(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) == String(i))
            }
            counter.increment()
        }
    }

    // MARK: Fragments

    static func bytes(of word: UInt64) -> [UInt8] {
        withUnsafeBytes(of: word.littleEndian) { Array($0) }
    }

    @Test func fragmentsSpellTheirText() {
        #expect(Self.bytes(of: TokenFragments.id) == Array(#",{"id":"#.utf8) + [0])
        #expect(Self.bytes(of: TokenFragments.start0) + Self.bytes(of: TokenFragments.start1).prefix(1) == Array(#","start":"#.utf8))
        #expect(Self.bytes(of: TokenFragments.end) == Array(#","end":"#.utf8) + [0])
        #expect(Self.bytes(of: TokenFragments.sentenceStart0) == Array(#"{"start""#.utf8))
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 24)
        defer { p.deallocate() }
        for kind in TokenKind.allCases {
            let n = TokenFragments.storeSuffix(TokenFragments.shared.suffixes, kind: kind, at: p)
            #expect(Array(UnsafeBufferPointer(start: p, count: n)) == Array(",\"kind\":\"\(kind.name)\"}".utf8))
        }
    }

    // MARK: Counting characters

    /// Characters before each byte, one byte at a time.
    static func referenceUnits(_ text: [UInt8], _ from: Int, _ to: Int, utf16: Bool) -> Int {
        text[from..<to].reduce(0) { n, c in c & 0xC0 == 0x80 ? n : n + (utf16 && c >= 0xF0 ? 2 : 1) }
    }

    /// Every run between character boundaries of texts of mixed widths, in buffers of exactly
    /// the text's size (runs that end at or near the buffer's end are counted byte by byte).
    @Test(arguments: [false, true])
    func unitCounterMatchesTheReference(utf16: Bool) {
        var rng = TestRandom("units-\(utf16)")
        let pieces = ["a", " ", "ж", "é", "中", "😀", "𝔸", "ab", "Привет"].map { Array($0.utf8) }
        for _ in 0..<600 {
            var text: [UInt8] = []
            for _ in 0..<Int(rng.next() % 16) { text += pieces[Int(rng.next() % UInt64(pieces.count))] }
            let boundaries = (0...text.count).filter { $0 == text.count || text[$0] & 0xC0 != 0x80 }
            let p = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(text.count, 1))
            defer { p.deallocate() }
            _ = p.initialize(from: text)
            let t = UnsafeBufferPointer(start: p.baseAddress, count: text.count)
            for from in boundaries {
                for to in boundaries where to >= from {
                    let u = UnitCounter.units(t, from: from, to: to, utf16: utf16)
                    if u != Self.referenceUnits(text, from, to, utf16: utf16) {
                        Issue.record("\(rng.label): \(text) \(from)..<\(to): \(u)")
                        return
                    }
                }
            }
        }
    }

    /// Offsets at every boundary of "aжb中c😀d" (1-, 2-, 3- and 4-byte characters), and inside
    /// characters (the character's start), read forwards, backwards and out of order.
    @Test(arguments: [OffsetUnit.codepoint, .utf16, .utf8])
    func cursorAtMultibyteBoundaries(unit: OffsetUnit) {
        let doc = Document("aжb中c😀d")
        let table: [Int: (codepoint: Int, utf16: Int)] = [
            0: (0, 0), 1: (1, 1), 2: (1, 1), 3: (2, 2), 4: (3, 3), 5: (3, 3), 6: (3, 3), 7: (4, 4), 8: (5, 5),
            9: (5, 5), 11: (5, 5), 12: (6, 7), 13: (7, 8),
        ]
        func expected(_ b: Int) -> Int {
            switch unit {
            case .codepoint: table[b]!.codepoint
            case .utf16: table[b]!.utf16
            case .utf8: b
            }
        }
        let orders = [table.keys.sorted(), table.keys.sorted().reversed(), [13, 0, 12, 1, 9, 3, 8, 4, 7, 2, 13, 5, 6, 11]]
        for order in orders {
            var offsets = DocumentOffsets(doc, unit: unit)
            for b in order { #expect(offsets.map(b) == expected(b), "byte \(b) in \(order)") }
            offsets.rewind()
            for b in order { #expect(offsets.map(b) == expected(b), "byte \(b) after rewind") }
        }
    }

    // MARK: The tokens member

    /// `"tokens":[...]` as Swift's own string formatting writes it.
    static func reference(_ doc: Document, unit: OffsetUnit) -> String {
        let table = doc.text.withUnsafeBufferPointer { OffsetMapper(text: $0, unit: unit) }
        let records = doc.tokens.enumerated().map { i, t in
            "{\"id\":\(i),\"start\":\(table(t.start)),\"end\":\(table(t.end)),\"kind\":\"\(t.kind.name)\"}"
        }
        return "\"tokens\":[" + records.joined(separator: ",") + "]}\n"
    }

    /// `,"sents":[...]` as Swift's own string formatting writes it.
    static func referenceSentences(_ doc: Document, unit: OffsetUnit) -> String {
        let table = doc.text.withUnsafeBufferPointer { OffsetMapper(text: $0, unit: unit) }
        let records = doc.sentences.map { "{\"start\":\(table($0.start)),\"end\":\(table($0.end))}" }
        return ",\"sents\":[" + records.joined(separator: ",") + "]"
    }

    static func printed(_ doc: Document, unit: OffsetUnit, emit: EmitSet = [.tokens]) -> String {
        var configuration = AnnotatorConfiguration()
        configuration.emit = emit
        configuration.offsets = unit
        var w = JSONWriter(capacity: 16)
        JSONLPrinter(configuration: configuration).printAnnotation(doc, into: &w, leadingComma: false)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    @Test func tokenRecordsExamples() {
        var doc = Document("Ж 9é😀.")
        doc.tokens = [Token(start: 0, end: 2, kind: .word), Token(start: 2, end: 3, kind: .space),
                      Token(start: 3, end: 4, kind: .number), Token(start: 4, end: 6, kind: .word),
                      Token(start: 6, end: 10, kind: .symbol), Token(start: 10, end: 11, kind: .punct)]
        #expect(Self.printed(doc, unit: .codepoint) == #""tokens":[{"id":0,"start":0,"end":1,"kind":"word"},{"id":1,"start":1,"end":2,"kind":"space"},{"id":2,"start":2,"end":3,"kind":"number"},{"id":3,"start":3,"end":4,"kind":"word"},{"id":4,"start":4,"end":5,"kind":"symbol"},{"id":5,"start":5,"end":6,"kind":"punct"}]}"# + "\n")
        #expect(Self.printed(doc, unit: .utf16).contains(#"{"id":4,"start":4,"end":6,"kind":"symbol"},{"id":5,"start":6,"end":7,"kind":"punct"}"#))
        #expect(Self.printed(doc, unit: .utf8).contains(#"{"id":5,"start":10,"end":11,"kind":"punct"}"#))
        #expect(Self.printed(Document(""), unit: .codepoint) == "\"tokens\":[]}\n")
    }

    /// Random texts cut into random tokens (gaps between them, ends at 9, 99, ... followed by a
    /// start one later), a few long enough for ids past 1000 and more than one block of tokens.
    @Test(arguments: [OffsetUnit.codepoint, .utf16, .utf8])
    func tokenRecordsMatchTheReference(unit: OffsetUnit) {
        var rng = TestRandom("token-records-\(unit)")
        let pieces = ["a", " ", "ж", "é", "中", "😀", "1", ".", "word"].map { Array($0.utf8) }
        let kinds = TokenKind.allCases
        for round in 0..<120 {
            let length = round % 40 == 0 ? 5000 + Int(rng.next() % 200) : Int(rng.next() % 40)
            var text: [UInt8] = []
            for _ in 0..<length { text += pieces[Int(rng.next() % UInt64(pieces.count))] }
            // Whichever character sizes: a mostly-ASCII text takes the identity path.
            if round % 3 == 0 { text = text.map { $0 < 0x80 ? $0 : UInt8(ascii: "x") } }
            var doc = Document(text: text)
            var b = 0
            while b < text.count {
                var e = b + 1
                while e < text.count, text[e] & 0xC0 == 0x80 || rng.next() % 3 == 0 { e += 1 }
                if rng.next() % 4 != 0 {
                    doc.tokens.append(Token(start: b, end: e, kind: kinds[Int(rng.next() % UInt64(kinds.count))]))
                }
                b = e
            }
            let printed = Self.printed(doc, unit: unit)
            #expect(printed == Self.reference(doc, unit: unit), "\(rng.label) round \(round)")
            // Sentences: runs of the tokens, from the first one's start to the last one's end.
            var first = 0
            while first < doc.tokens.count {
                let end = min(doc.tokens.count, first + 1 + Int(rng.next() % 12))
                doc.sentences.append(Sentence(start: doc.tokens[first].start, end: doc.tokens[end - 1].end, firstToken: first, endToken: end))
                first = end
            }
            let withSentences = Self.printed(doc, unit: unit, emit: [.tokens, .sents])
            let expected = String(Self.reference(doc, unit: unit).dropLast(2)) + Self.referenceSentences(doc, unit: unit) + "}\n"
            #expect(withSentences == expected, "\(rng.label) round \(round)")
        }
    }
}

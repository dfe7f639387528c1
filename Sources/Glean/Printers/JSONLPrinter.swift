import GleanCore
import GleanIO

/// The JSONL printer: the input record's fields (passed through byte for byte), then
/// `"tokens"`, `"sents"`, `"ents"`, `"spans"` (as `--emit` asks) and `"warnings"` (when there
/// are any), one line per record. With `compact`, tokens are columns:
/// `"tokens":{"starts":[0,7],"ends":[6,12],"kinds":[0,0]}`, kinds numbered as ``TokenKind``
/// (0 word, 1 number, 2 punct, 3 space, 4 ideographic, 5 kana, 6 symbol).
///
/// ```swift
/// let printer = JSONLPrinter(configuration: AnnotatorConfiguration())
/// var out = JSONWriter()
/// printer.print(doc, record: record, into: &out)   // {"id":1,"text":"Hi","tokens":[...],...}\n
/// ```
///
/// Offsets are converted to the output unit by a cursor that walks the text with the tokens,
/// sentences and spans, which are read in order (``DocumentOffsets``). Token records are written
/// a block of tokens per reserved write, integers two digits at a time, fixed fragments as whole
/// words. With an ``OutputSpill`` a large record is handed to the writer in pieces as it is
/// printed: its output is never held whole.
public final class JSONLPrinter: Printer {
    let configuration: AnnotatorConfiguration
    let compact: Bool
    /// Scratch: one block of tokens' offsets in the output unit.
    private var starts: [Int] = []
    private var ends: [Int] = []
    /// Tokens are converted and written this many at a time (scratch stays small however long
    /// the document; between blocks a large record is handed to the writer).
    static let tokenBlock = 4096
    /// Long strings (the text) are written in pieces of this many bytes.
    static let stringPiece = 1 << 20

    public init(configuration: AnnotatorConfiguration, compact: Bool = false) {
        self.configuration = configuration
        self.compact = compact
    }

    public func print(_ doc: Document, record: DecodedRecord, into out: inout JSONWriter) {
        print(doc, record: record, into: &out, spill: nil)
    }

    /// The same; with a `spill`, a record that grows large is handed to the writer in pieces as
    /// it is printed (``OutputSpill``), so that it is never held whole.
    public func print(_ doc: Document, record: DecodedRecord, into out: inout JSONWriter, spill: OutputSpill?) {
        out.byte(UInt8(ascii: "{"))
        var first = true
        let input = record.input
        for field in record.fields {
            if !first { out.byte(UInt8(ascii: ",")) }
            first = false
            switch field {
            case .member(let key, let value):
                out.raw(UnsafeBufferPointer(rebasing: input[key]))
                out.byte(UInt8(ascii: ":"))
                Self.raw(UnsafeBufferPointer(rebasing: input[value]), into: &out, spill: spill)
            case .repairedText(let key, let value, let text):
                // Splice the repaired text into the member that holds it.
                out.raw(UnsafeBufferPointer(rebasing: input[key]))
                out.byte(UInt8(ascii: ":"))
                Self.raw(UnsafeBufferPointer(rebasing: input[value.lowerBound..<text.lowerBound]), into: &out, spill: spill)
                Self.string(doc.text, into: &out, spill: spill)
                Self.raw(UnsafeBufferPointer(rebasing: input[text.upperBound..<value.upperBound]), into: &out, spill: spill)
            case .documentText:
                out.raw("\"text\":")
                Self.string(doc.text, into: &out, spill: spill)
            case .added(let key, let value):
                out.byte(UInt8(ascii: "\""))
                out.raw(key)
                out.raw("\":")
                out.raw(value)
            }
        }
        printAnnotation(doc, into: &out, leadingComma: !first, spill: spill)
    }

    /// Raw bytes; in pieces, handing over between them, when there is a spill.
    static func raw(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout JSONWriter, spill: OutputSpill?) {
        guard let spill, bytes.count > stringPiece else { out.raw(bytes); return }
        var i = 0
        while i < bytes.count {
            let j = min(bytes.count, i + stringPiece)
            out.raw(UnsafeBufferPointer(rebasing: bytes[i..<j]))
            spill.check(&out)
            i = j
        }
    }

    /// A quoted JSON string; in pieces, handing over between them, when there is a spill.
    static func string(_ text: [UInt8], into out: inout JSONWriter, spill: OutputSpill?) {
        guard let spill, text.count > stringPiece else { out.string(text); return }
        out.byte(UInt8(ascii: "\""))
        text.withUnsafeBufferPointer { t in
            var i = 0
            while i < t.count {
                let j = min(t.count, i + stringPiece)
                out.stringContents(UnsafeBufferPointer(rebasing: t[i..<j]))
                spill.check(&out)
                i = j
            }
        }
        out.byte(UInt8(ascii: "\""))
    }

    /// Writes `,"tokens":[...],"sents":[...],"ents":[...],"spans":{...},"warnings":[...]}\n`.
    public func printAnnotation(_ doc: Document, into out: inout JSONWriter, leadingComma: Bool) {
        printAnnotation(doc, into: &out, leadingComma: leadingComma, spill: nil)
    }

    /// The same, handing a large record to `spill` in pieces.
    public func printAnnotation(_ doc: Document, into out: inout JSONWriter, leadingComma: Bool, spill: OutputSpill?) {
        let emit = configuration.emit
        var comma = leadingComma
        func key(_ name: StaticString) {
            if comma { out.byte(UInt8(ascii: ",")) }
            comma = true
            out.raw(name)
        }
        var offsets = DocumentOffsets(doc, unit: configuration.offsets)
        if emit.contains(.tokens) {
            if compact {
                key("\"tokens\":{\"starts\":")
                writeColumn(doc, ends: false, offsets: &offsets, into: &out, spill: spill)
                out.raw(",\"ends\":")
                writeColumn(doc, ends: true, offsets: &offsets, into: &out, spill: spill)
                out.raw(",\"kinds\":[")
                doc.tokens.withUnsafeBufferPointer { tokens in
                    var from = 0
                    while from < tokens.count {
                        let to = min(tokens.count, from + Self.tokenBlock)
                        out.withReserved((to - from) * 2) { p in
                            var n = 0
                            if from > 0 { p[0] = UInt8(ascii: ","); n = 1 }
                            for i in from..<to {
                                p[n] = 48 &+ tokens[i].kind.rawValue
                                p[n &+ 1] = UInt8(ascii: ",")
                                n &+= 2
                            }
                            return n - 1
                        }
                        spill?.check(&out)
                        from = to
                    }
                }
                out.raw("]}")
            } else {
                key("\"tokens\":[")
                writeTokens(doc.tokens, offsets: &offsets, into: &out, spill: spill)
                out.byte(UInt8(ascii: "]"))
            }
        }
        if emit.contains(.sents) {
            key("\"sents\":[")
            offsets.rewind()
            for (i, s) in doc.sentences.enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                out.raw("{\"start\":")
                out.int(offsets.map(s.start))
                out.raw(",\"end\":")
                out.int(offsets.map(s.end))
                out.byte(UInt8(ascii: "}"))
                if i & 1023 == 1023 { spill?.check(&out) }
            }
            out.byte(UInt8(ascii: "]"))
        }
        if emit.contains(.ents) {
            key("\"ents\":")
            writeSpans(doc.entities, offsets: &offsets, into: &out, spill: spill)
        }
        if emit.contains(.spans) {
            key("\"spans\":{")
            for (g, group) in doc.spanGroups.enumerated() {
                if g > 0 { out.byte(UInt8(ascii: ",")) }
                out.string(group.name)
                out.byte(UInt8(ascii: ":"))
                writeSpans(group.spans, offsets: &offsets, into: &out, spill: spill)
            }
            out.byte(UInt8(ascii: "}"))
        }
        if !doc.warnings.isEmpty {
            key("\"warnings\":[")
            for (i, w) in doc.warnings.enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                out.raw("{\"stage\":")
                out.string(w.stage)
                if let name = w.name {
                    out.raw(",\"name\":")
                    out.string(name)
                }
                out.raw(",\"reason\":")
                out.string(w.reason)
                out.byte(UInt8(ascii: "}"))
            }
            out.byte(UInt8(ascii: "]"))
        }
        out.raw("}\n")
    }

    /// Fills the scratch with the output offsets of tokens `from..<to`.
    private func convert(_ tokens: UnsafeBufferPointer<Token>, _ from: Int, _ to: Int, offsets: inout DocumentOffsets) {
        if starts.count < Self.tokenBlock {
            starts = [Int](repeating: 0, count: Self.tokenBlock)
            ends = starts
        }
        starts.withUnsafeMutableBufferPointer { s in
            ends.withUnsafeMutableBufferPointer { e in
                offsets.convert(tokens, from, to, starts: s.baseAddress!, ends: e.baseAddress!)
            }
        }
    }

    /// `{"id":N,"start":N,"end":N,"kind":"word"}` per token, comma-separated, a block of tokens
    /// per reserved write: fixed fragments are copied as 8-byte words (the reserve has slack for
    /// the overrun).
    private func writeTokens(_ tokens: [Token], offsets: inout DocumentOffsets, into out: inout JSONWriter, spill: OutputSpill?) {
        let n = tokens.count
        guard n > 0 else { return }
        offsets.rewind()
        let fragments = TokenFragments.shared
        // The id as ASCII digits, counted up in place (ids below 10^8 fit a word).
        var id = DecimalCounter()
        let countedIDs = n <= 100_000_000
        tokens.withUnsafeBufferPointer { tokens in
            var from = 0
            while from < n {
                let to = min(n, from + Self.tokenBlock)
                convert(tokens, from, to, offsets: &offsets)
                let largest = max(to, ends[to - from - 1])
                let digits = JSONWriter.digitCount(largest)
                // `,{"id":` 7 + `,"start":` 9 + `,"end":` 7 + the longest kind suffix 22, three
                // numbers, and 16 bytes of slack for word-sized copies.
                let perToken = 45 + 3 * digits
                starts.withUnsafeBufferPointer { starts in
                    ends.withUnsafeBufferPointer { ends in
                        out.withReserved((to - from) * perToken + 16) { p in
                            var w = 0
                            // Where the previous token's end was written, to reuse its digits when
                            // this token starts there or one unit later (most tokens do).
                            var previousEnd = -1, previousEndAt = 0, previousEndLength = 0
                            for i in from..<to {
                                let b = i &- from
                                // `,{"id":`, without the comma before the first token.
                                fragments.copy(i == 0 ? fragments.idFirst : fragments.id, to: p + w)
                                w &+= i == 0 ? 6 : 7
                                if countedIDs {
                                    w &+= id.write(to: p + w)
                                    id.increment()
                                } else {
                                    w &+= JSONWriter.digits(i, at: p + w)
                                }
                                fragments.copy16(fragments.start, to: p + w)
                                w &+= 9
                                let start = starts[b]
                                if previousEndLength <= 8, start == previousEnd {
                                    fragments.copy(p + previousEndAt, to: p + w)
                                    w &+= previousEndLength
                                } else if previousEndLength > 0, previousEndLength <= 8, start == previousEnd &+ 1,
                                          p[previousEndAt &+ previousEndLength &- 1] != UInt8(ascii: "9") {
                                    fragments.copy(p + previousEndAt, to: p + w)
                                    w &+= previousEndLength
                                    p[w &- 1] &+= 1
                                } else {
                                    w &+= JSONWriter.digits(start, at: p + w)
                                }
                                fragments.copy(fragments.end, to: p + w)
                                w &+= 7
                                previousEnd = ends[b]
                                previousEndAt = w
                                previousEndLength = JSONWriter.digits(previousEnd, at: p + w)
                                w &+= previousEndLength
                                let kind = Int(tokens[i].kind.rawValue)
                                fragments.copySuffix(kind, to: p + w)
                                w &+= fragments.suffixLength[kind]
                            }
                            return w
                        }
                    }
                }
                spill?.check(&out)
                from = to
            }
        }
    }

    /// `[...]`: the tokens' starts (or ends), a block of tokens per reserved write.
    private func writeColumn(_ doc: Document, ends useEnds: Bool, offsets: inout DocumentOffsets,
                             into out: inout JSONWriter, spill: OutputSpill?) {
        out.byte(UInt8(ascii: "["))
        let count = doc.tokens.count
        guard count > 0 else { out.byte(UInt8(ascii: "]")); return }
        offsets.rewind()
        doc.tokens.withUnsafeBufferPointer { tokens in
            var from = 0
            while from < count {
                let to = min(count, from + Self.tokenBlock)
                convert(tokens, from, to, offsets: &offsets)
                let digits = JSONWriter.digitCount(max(ends[to - from - 1], count))
                (useEnds ? ends : starts).withUnsafeBufferPointer { values in
                    out.withReserved((to - from) * (digits + 1)) { p in
                        var w = 0
                        if from > 0 { p[0] = UInt8(ascii: ","); w = 1 }
                        for i in 0..<(to - from) {
                            w &+= JSONWriter.digits(values[i], at: p + w)
                            p[w] = UInt8(ascii: ",")
                            w &+= 1
                        }
                        return w - 1
                    }
                }
                spill?.check(&out)
                from = to
            }
        }
        out.byte(UInt8(ascii: "]"))
    }

    private func writeSpans(_ spans: [Span], offsets: inout DocumentOffsets, into out: inout JSONWriter, spill: OutputSpill?) {
        out.byte(UInt8(ascii: "["))
        offsets.rewind()
        for (i, s) in spans.enumerated() {
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            out.raw("{\"start\":")
            out.int(offsets.map(s.start))
            out.raw(",\"end\":")
            out.int(offsets.map(s.end))
            out.raw(",\"label\":")
            out.string(s.label)
            out.raw(",\"kb_id\":")
            out.string(s.kbId)
            if s.kbIds.count > 1 {
                out.raw(",\"kb_ids\":[")
                for (k, id) in s.kbIds.enumerated() {
                    if k > 0 { out.byte(UInt8(ascii: ",")) }
                    out.string(id)
                }
                out.byte(UInt8(ascii: "]"))
            }
            out.raw(",\"source\":")
            switch s.source {
            case .pattern: out.raw("\"pattern\",\"name\":")
            case .gazetteer: out.raw("\"gazetteer\",\"alias\":")
            case .names: out.raw("\"names\",\"name\":")
            case .propagation: out.raw("\"propagation\",\"name\":")
            }
            out.string(s.name)
            if !s.groups.isEmpty {
                out.raw(",\"groups\":{")
                for (k, g) in s.groups.enumerated() {
                    if k > 0 { out.byte(UInt8(ascii: ",")) }
                    out.string(g.name)
                    out.byte(UInt8(ascii: ":"))
                    out.string(g.value)
                }
                out.byte(UInt8(ascii: "}"))
            }
            if let value = s.value {
                out.raw(",\"value\":")
                out.string(value)
            }
            if s.matchStart != s.start || s.matchEnd != s.end {
                out.raw(",\"match_start\":")
                out.int(offsets.map(s.matchStart))
                out.raw(",\"match_end\":")
                out.int(offsets.map(s.matchEnd))
            }
            out.byte(UInt8(ascii: "}"))
            if i & 255 == 255 { spill?.check(&out) }
        }
        out.byte(UInt8(ascii: "]"))
    }
}

/// One document's offsets in the output unit, read as a cursor that walks the text.
///
/// For the `utf8` unit and for ASCII text every offset is its own value. Otherwise the cursor
/// keeps one position and the units before it, and reaches the next offset by counting the
/// characters in between, forwards or backwards: tokens, sentences and spans, which are read
/// in order, cost one pass over the text and no memory. A far jump (more than
/// ``DocumentOffsets/walkLimit`` bytes) or an offset inside a character goes through an
/// ``OffsetMapper``, built on first use, so that no order of lookups costs more than linear.
///
/// ```swift
/// var offsets = DocumentOffsets(Document("né 5"), unit: .codepoint)
/// offsets.map(4)   // 3
/// ```
struct DocumentOffsets {
    let text: [UInt8]
    let unit: OffsetUnit
    let identity: Bool
    private let utf16: Bool
    /// The cursor: a byte offset on a character boundary and the units before it.
    private var position = 0
    private var units = 0
    private var mapper: OffsetMapper?
    static let walkLimit = 1 << 16

    init(_ doc: Document, unit: OffsetUnit) {
        text = doc.text
        identity = unit == .utf8 || doc.text.withUnsafeBufferPointer { UTF8Validation.isASCII($0) }
        self.unit = identity ? .utf8 : unit
        utf16 = unit == .utf16
    }

    /// Moves the cursor back to the start of the text (before a pass in order).
    mutating func rewind() {
        position = 0
        units = 0
    }

    /// The offset of `byte`, the start of token `index` (kept for callers that know it).
    mutating func start(of index: Int, byte: Int) -> Int { map(byte) }

    /// The offset of `byte`, the end of token `index`.
    mutating func end(of index: Int, byte: Int) -> Int { map(byte) }

    /// Any byte offset of the text (one inside a character maps to the character's start).
    @inline(__always)
    mutating func map(_ byte: Int) -> Int {
        if identity { return byte }
        return walk(to: byte)
    }

    private mutating func walk(to target: Int) -> Int {
        let distance = target &- position
        let inside = target < text.count && text[target] & 0xC0 == 0x80
        if inside || distance > Self.walkLimit || distance < -Self.walkLimit {
            if mapper == nil { mapper = OffsetMapper(text: text, unit: unit) }
            let mapped = mapper!(target)
            if !inside { position = target; units = mapped }
            return mapped
        }
        text.withUnsafeBufferPointer { t in
            var p = position, u = units
            let utf16 = self.utf16
            while p < target {
                let c = t[p]
                if c & 0xC0 != 0x80 { u &+= (utf16 && c >= 0xF0) ? 2 : 1 }
                p &+= 1
            }
            while p > target {
                p &-= 1
                let c = t[p]
                if c & 0xC0 != 0x80 { u &-= (utf16 && c >= 0xF0) ? 2 : 1 }
            }
            position = p
            units = u
        }
        return units
    }

    /// The offsets of tokens `from..<to` (sorted, not overlapping) into `starts` and `ends`.
    mutating func convert(_ tokens: UnsafeBufferPointer<Token>, _ from: Int, _ to: Int,
                          starts s: UnsafeMutablePointer<Int>, ends e: UnsafeMutablePointer<Int>) {
        if identity {
            for i in from..<to { s[i &- from] = tokens[i].start; e[i &- from] = tokens[i].end }
            return
        }
        for i in from..<to {
            s[i &- from] = walk(to: tokens[i].start)
            e[i &- from] = walk(to: tokens[i].end)
        }
    }
}

/// A non-negative integer below 10^8 as ASCII digits in one word, incremented in place.
struct DecimalCounter {
    /// The digits, most significant first, in the low `length` bytes (little-endian).
    private var digits: UInt64 = UInt64(UInt8(ascii: "0"))
    private var length = 1

    /// Writes the digits at `p` (an 8-byte store: the caller reserves 8 bytes); returns how many.
    @inline(__always) func write(to p: UnsafeMutablePointer<UInt8>) -> Int {
        UnsafeMutableRawPointer(p).storeBytes(of: digits.littleEndian, as: UInt64.self)
        return length
    }

    @inline(__always) mutating func increment() {
        var k = length - 1
        while k >= 0 {
            let shift = UInt64(k * 8)
            let digit = (digits >> shift) & 0xFF
            if digit != UInt64(UInt8(ascii: "9")) {
                digits &+= 1 << shift
                return
            }
            digits = (digits & ~(0xFF << shift)) | (UInt64(UInt8(ascii: "0")) << shift)
            k -= 1
        }
        // 9...9 + 1: a leading 1 and one more digit.
        precondition(length < 8, "DecimalCounter holds numbers below 10^8")
        digits = (digits << 8) | UInt64(UInt8(ascii: "1"))
        length += 1
    }
}

/// The fixed parts of a token record, padded so that each is copied as whole 8-byte words.
final class TokenFragments: @unchecked Sendable {
    static let shared = TokenFragments()
    /// `,{"id":` and `{"id":` (7 and 6 bytes, in 8).
    let id: UnsafeMutablePointer<UInt8>
    let idFirst: UnsafeMutablePointer<UInt8>
    /// `,"start":` (9 bytes, in 16).
    let start: UnsafeMutablePointer<UInt8>
    /// `,"end":` (7 bytes, in 8).
    let end: UnsafeMutablePointer<UInt8>
    /// `,"kind":"word"}` ... per kind, 24 bytes each.
    let suffixes: UnsafeMutablePointer<UInt8>
    let suffixLength: [Int]

    private init() {
        func padded(_ s: String, to size: Int) -> UnsafeMutablePointer<UInt8> {
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
            p.initialize(repeating: 0, count: size)
            let bytes = Array(s.utf8)
            precondition(bytes.count <= size)
            p.update(from: bytes, count: bytes.count)
            return p
        }
        id = padded(",{\"id\":", to: 8)
        idFirst = padded("{\"id\":", to: 8)
        start = padded(",\"start\":", to: 16)
        end = padded(",\"end\":", to: 8)
        suffixes = .allocate(capacity: 24 * TokenKind.allCases.count)
        suffixes.initialize(repeating: 0, count: 24 * TokenKind.allCases.count)
        var lengths: [Int] = []
        for kind in TokenKind.allCases {
            let bytes = Array(",\"kind\":\"\(kind.name)\"}".utf8)
            precondition(bytes.count <= 24)
            (suffixes + 24 * Int(kind.rawValue)).update(from: bytes, count: bytes.count)
            lengths.append(bytes.count)
        }
        suffixLength = lengths
    }

    @inline(__always) func copy(_ fragment: UnsafeMutablePointer<UInt8>, to p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: UnsafeRawPointer(fragment).loadUnaligned(as: UInt64.self), as: UInt64.self)
    }

    @inline(__always) func copy16(_ fragment: UnsafeMutablePointer<UInt8>, to p: UnsafeMutablePointer<UInt8>) {
        let raw = UnsafeRawPointer(fragment)
        UnsafeMutableRawPointer(p).storeBytes(of: raw.load(as: UInt64.self), as: UInt64.self)
        UnsafeMutableRawPointer(p + 8).storeBytes(of: raw.load(fromByteOffset: 8, as: UInt64.self), as: UInt64.self)
    }

    @inline(__always) func copySuffix(_ kind: Int, to p: UnsafeMutablePointer<UInt8>) {
        let raw = UnsafeRawPointer(suffixes + 24 &* kind)
        let out = UnsafeMutableRawPointer(p)
        out.storeBytes(of: raw.load(as: UInt64.self), as: UInt64.self)
        out.storeBytes(of: raw.load(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
        out.storeBytes(of: raw.load(fromByteOffset: 16, as: UInt64.self), toByteOffset: 16, as: UInt64.self)
    }
}

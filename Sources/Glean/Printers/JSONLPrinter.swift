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
/// Offsets are converted to the output unit once per document, in one pass over the text with
/// the tokens (which are sorted); sentence and entity offsets, which lie on token boundaries,
/// are read from that mapping. Token records are written into space reserved once per document,
/// integers two digits at a time, fixed fragments as whole words.
public final class JSONLPrinter: Printer {
    let configuration: AnnotatorConfiguration
    let compact: Bool
    /// Scratch: the tokens' offsets in the output unit.
    private var starts: [Int] = []
    private var ends: [Int] = []

    public init(configuration: AnnotatorConfiguration, compact: Bool = false) {
        self.configuration = configuration
        self.compact = compact
    }

    public func print(_ doc: Document, record: DecodedRecord, into out: inout JSONWriter) {
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
                out.raw(UnsafeBufferPointer(rebasing: input[value]))
            case .repairedText(let key, let value, let text):
                // Splice the repaired text into the member that holds it.
                out.raw(UnsafeBufferPointer(rebasing: input[key]))
                out.byte(UInt8(ascii: ":"))
                out.raw(UnsafeBufferPointer(rebasing: input[value.lowerBound..<text.lowerBound]))
                out.string(doc.text)
                out.raw(UnsafeBufferPointer(rebasing: input[text.upperBound..<value.upperBound]))
            case .documentText:
                out.raw("\"text\":")
                out.string(doc.text)
            case .added(let key, let value):
                out.byte(UInt8(ascii: "\""))
                out.raw(key)
                out.raw("\":")
                out.raw(value)
            }
        }
        printAnnotation(doc, into: &out, leadingComma: !first)
    }

    /// Writes `,"tokens":[...],"sents":[...],"ents":[...],"spans":{...},"warnings":[...]}\n`.
    public func printAnnotation(_ doc: Document, into out: inout JSONWriter, leadingComma: Bool) {
        let emit = configuration.emit
        var comma = leadingComma
        func key(_ name: StaticString) {
            if comma { out.byte(UInt8(ascii: ",")) }
            comma = true
            out.raw(name)
        }
        var offsets = DocumentOffsets(doc, unit: configuration.offsets, starts: &starts, ends: &ends)
        if emit.contains(.tokens) {
            if compact {
                key("\"tokens\":{\"starts\":")
                writeColumn(starts, count: doc.tokens.count, into: &out)
                out.raw(",\"ends\":")
                writeColumn(ends, count: doc.tokens.count, into: &out)
                out.raw(",\"kinds\":[")
                out.withReserved(doc.tokens.count * 2) { p in
                    var n = 0
                    for t in doc.tokens {
                        p[n] = 48 &+ t.kind.rawValue
                        p[n &+ 1] = UInt8(ascii: ",")
                        n &+= 2
                    }
                    return n == 0 ? 0 : n - 1
                }
                out.raw("]}")
            } else {
                key("\"tokens\":[")
                writeTokens(doc.tokens, into: &out)
                out.byte(UInt8(ascii: "]"))
            }
        }
        if emit.contains(.sents) {
            key("\"sents\":[")
            for (i, s) in doc.sentences.enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                out.raw("{\"start\":")
                out.int(offsets.start(of: s.firstToken, byte: s.start))
                out.raw(",\"end\":")
                out.int(offsets.end(of: s.endToken - 1, byte: s.end))
                out.byte(UInt8(ascii: "}"))
            }
            out.byte(UInt8(ascii: "]"))
        }
        if emit.contains(.ents) {
            key("\"ents\":")
            writeSpans(doc.entities, offsets: &offsets, into: &out)
        }
        if emit.contains(.spans) {
            key("\"spans\":{")
            for (g, group) in doc.spanGroups.enumerated() {
                if g > 0 { out.byte(UInt8(ascii: ",")) }
                out.string(group.name)
                out.byte(UInt8(ascii: ":"))
                writeSpans(group.spans, offsets: &offsets, into: &out)
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

    /// `{"id":N,"start":N,"end":N,"kind":"word"}` per token, comma-separated, in one reserved
    /// write: fixed fragments are copied as 8-byte words (the reserve has slack for the overrun).
    private func writeTokens(_ tokens: [Token], into out: inout JSONWriter) {
        let n = tokens.count
        guard n > 0 else { return }
        let largest = max(n, ends[n - 1])
        let digits = JSONWriter.digitCount(largest)
        // `,{"id":` 7 + `,"start":` 9 + `,"end":` 7 + the longest kind suffix 22, three numbers,
        // and 16 bytes of slack for word-sized copies.
        let perToken = 45 + 3 * digits
        let fragments = TokenFragments.shared
        starts.withUnsafeBufferPointer { starts in
            ends.withUnsafeBufferPointer { ends in
                tokens.withUnsafeBufferPointer { tokens in
                    out.withReserved(n * perToken + 16) { p in
                        var w = 0
                        // The id as ASCII digits, counted up in place (ids below 10^8 fit a word).
                        var id = DecimalCounter()
                        let countedIDs = n <= 100_000_000
                        // Where the previous token's end was written, to reuse its digits when
                        // this token starts there or one unit later (most tokens do).
                        var previousEnd = -1, previousEndAt = 0, previousEndLength = 0
                        for i in 0..<n {
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
                            let start = starts[i]
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
                            previousEnd = ends[i]
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
        }
    }

    private func writeColumn(_ values: [Int], count: Int, into out: inout JSONWriter) {
        out.byte(UInt8(ascii: "["))
        guard count > 0 else { out.byte(UInt8(ascii: "]")); return }
        let digits = JSONWriter.digitCount(max(values[count - 1], count))
        values.withUnsafeBufferPointer { values in
            out.withReserved(count * (digits + 1)) { p in
                var w = 0
                for i in 0..<count {
                    w &+= JSONWriter.digits(values[i], at: p + w)
                    p[w] = UInt8(ascii: ",")
                    w &+= 1
                }
                return w - 1
            }
        }
        out.byte(UInt8(ascii: "]"))
    }

    private func writeSpans(_ spans: [Span], offsets: inout DocumentOffsets, into out: inout JSONWriter) {
        out.byte(UInt8(ascii: "["))
        for (i, s) in spans.enumerated() {
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            out.raw("{\"start\":")
            out.int(offsets.start(of: s.firstToken, byte: s.start))
            out.raw(",\"end\":")
            out.int(offsets.end(of: s.endToken - 1, byte: s.end))
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
        }
        out.byte(UInt8(ascii: "]"))
    }
}

/// One document's offsets in the output unit: the tokens' (computed in one pass over the text,
/// into the caller's scratch arrays) and, on demand, any other byte offset.
struct DocumentOffsets {
    let tokens: [Token]
    let starts: [Int]
    let ends: [Int]
    let text: [UInt8]
    let unit: OffsetUnit
    private var mapper: OffsetMapper?

    init(_ doc: Document, unit: OffsetUnit, starts: inout [Int], ends: inout [Int]) {
        let n = doc.tokens.count
        if starts.count < n {
            starts = [Int](repeating: 0, count: n + n / 2)
            ends = starts
        }
        let identity = unit == .utf8 || doc.text.withUnsafeBufferPointer { UTF8Validation.isASCII($0) }
        doc.text.withUnsafeBufferPointer { text in
            doc.tokens.withUnsafeBufferPointer { tokens in
                starts.withUnsafeMutableBufferPointer { s in
                    ends.withUnsafeMutableBufferPointer { e in
                        if identity {
                            for i in 0..<n { s[i] = tokens[i].start; e[i] = tokens[i].end }
                            return
                        }
                        // Tokens are sorted and do not overlap: one walk over the text counts
                        // the units before every boundary.
                        let utf16 = unit == .utf16
                        var position = 0
                        var units = 0
                        @inline(__always) func advance(to target: Int) {
                            while position < target {
                                let c = text[position]
                                if c & 0xC0 != 0x80 { units &+= (utf16 && c >= 0xF0) ? 2 : 1 }
                                position &+= 1
                            }
                        }
                        for i in 0..<n {
                            advance(to: tokens[i].start)
                            s[i] = units
                            advance(to: tokens[i].end)
                            e[i] = units
                        }
                    }
                }
            }
        }
        self.tokens = doc.tokens
        self.starts = starts
        self.ends = ends
        self.text = doc.text
        self.unit = identity ? .utf8 : unit
    }

    /// The offset of `byte`, the start of token `index` when it is.
    mutating func start(of index: Int, byte: Int) -> Int {
        if index >= 0, index < tokens.count, tokens[index].start == byte { return starts[index] }
        return map(byte)
    }

    /// The offset of `byte`, the end of token `index` when it is.
    mutating func end(of index: Int, byte: Int) -> Int {
        if index >= 0, index < tokens.count, tokens[index].end == byte { return ends[index] }
        return map(byte)
    }

    /// Any byte offset of the text.
    mutating func map(_ byte: Int) -> Int {
        if unit == .utf8 { return byte }
        if mapper == nil { mapper = text.withUnsafeBufferPointer { OffsetMapper(text: $0, unit: unit) } }
        return mapper!(byte)
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

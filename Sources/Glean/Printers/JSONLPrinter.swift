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
                // The token writer writes the `[` (over the first token's comma).
                key("\"tokens\":")
                if doc.tokens.isEmpty { out.byte(UInt8(ascii: "[")) }
                writeTokens(doc.tokens, offsets: &offsets, into: &out, spill: spill)
                out.byte(UInt8(ascii: "]"))
            }
        }
        if emit.contains(.sents) {
            key("\"sents\":[")
            writeSentences(doc, offsets: &offsets, into: &out, spill: spill)
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

    /// `[` and `{"id":N,"start":N,"end":N,"kind":"word"}` per token, comma-separated (no
    /// tokens: nothing), a block of tokens per reserved write. Each token's offsets are converted as it is written (the cursor walks
    /// the text with the tokens); fixed fragments are stored as 8-byte words and integers as
    /// digit pairs, straight into the reserved bytes (the reserve has slack for the overrun).
    private func writeTokens(_ tokens: [Token], offsets: inout DocumentOffsets, into out: inout JSONWriter, spill: OutputSpill?) {
        guard !tokens.isEmpty else { return }
        offsets.rewind()
        tokens.withUnsafeBufferPointer { tokens in
            if offsets.identity {
                var bytes = ByteOffsets()
                Self.writeTokenBlocks(tokens, offsets: &bytes, into: &out, spill: spill)
                return
            }
            let text = offsets.text
            text.withUnsafeBufferPointer { t in
                withUnsafeMutablePointer(to: &offsets) { fallback in
                    var cursor = TextCursor(t, fallback)
                    Self.writeTokenBlocks(tokens, offsets: &cursor, into: &out, spill: spill)
                    cursor.finish()
                }
            }
        }
    }

    private static func writeTokenBlocks<Offsets: TokenOffsets>(_ tokens: UnsafeBufferPointer<Token>, offsets: inout Offsets,
                                                                into out: inout JSONWriter, spill: OutputSpill?) {
        let n = tokens.count
        let suffixes = TokenFragments.shared.suffixes
        // The id as ASCII digits, counted up in place (ids below 10^8 fit a word).
        var id = DecimalCounter()
        var from = 0
        while from < n {
            let to = min(n, from + Self.tokenBlock)
            // No offset in the output unit exceeds its byte offset, and the last token ends last.
            let digits = JSONWriter.digitCount(max(to, tokens[to - 1].end))
            // `,{"id":` 7 + `,"start":` 9 + `,"end":` 7 + the longest kind suffix 22, three
            // numbers, and 16 bytes of slack for word-sized stores.
            let perToken = 45 + 3 * digits
            out.withReserved((to - from) * perToken + 16) { p in
                writeTokenBlock(tokens, from, to, digits: digits, offsets: &offsets, id: &id, suffixes: suffixes, at: p)
            }
            spill?.check(&out)
            from = to
        }
    }

    /// `{"start":N,"end":N}` per sentence, comma-separated, a block of sentences per reserved
    /// write, by the same cursor as the tokens.
    private func writeSentences(_ doc: Document, offsets: inout DocumentOffsets, into out: inout JSONWriter, spill: OutputSpill?) {
        guard !doc.sentences.isEmpty else { return }
        offsets.rewind()
        // No offset in the output unit exceeds the text's length in bytes.
        let digits = JSONWriter.digitCount(doc.text.count)
        doc.sentences.withUnsafeBufferPointer { sentences in
            if offsets.identity {
                var bytes = ByteOffsets()
                Self.writeSentenceBlocks(sentences, digits: digits, offsets: &bytes, into: &out, spill: spill)
                return
            }
            let text = offsets.text
            text.withUnsafeBufferPointer { t in
                withUnsafeMutablePointer(to: &offsets) { fallback in
                    var cursor = TextCursor(t, fallback)
                    Self.writeSentenceBlocks(sentences, digits: digits, offsets: &cursor, into: &out, spill: spill)
                    cursor.finish()
                }
            }
        }
    }

    /// Sentences are written this many at a time (between blocks a large record is handed over).
    static let sentenceBlock = 1024

    private static func writeSentenceBlocks<Offsets: TokenOffsets>(_ sentences: UnsafeBufferPointer<Sentence>, digits: Int,
                                                                   offsets: inout Offsets, into out: inout JSONWriter,
                                                                   spill: OutputSpill?) {
        let n = sentences.count
        var from = 0
        while from < n {
            let to = min(n, from + Self.sentenceBlock)
            // `,` 1 + `{"start":` 9 + `,"end":` 7 + `}` 1, two numbers, and 16 bytes of slack
            // for word-sized stores.
            out.withReserved((to - from) * (18 + 2 * digits) + 16) { p in
                var cursor = offsets
                defer { offsets = cursor }
                var w = 0
                for i in from..<to {
                    let sentence = sentences[i]
                    if i > 0 {
                        p[w] = UInt8(ascii: ",")
                        w &+= 1
                    }
                    TokenFragments.store(TokenFragments.sentenceStart0, at: p + w)
                    p[w &+ 8] = UInt8(ascii: ":")
                    w &+= 9
                    w &+= JSONWriter.digits(cursor.map(sentence.start), at: p + w)
                    TokenFragments.store(TokenFragments.end, at: p + w)
                    w &+= 7
                    w &+= JSONWriter.digits(cursor.map(sentence.end), at: p + w)
                    p[w] = UInt8(ascii: "}")
                    w &+= 1
                }
                return w
            }
            spill?.check(&out)
            from = to
        }
    }

    /// Writes tokens `from..<to` at `p` (which has room for them, see ``writeTokens``), after
    /// a comma, or after the array's `[` for the first token; returns the bytes written.
    @inline(__always)
    private static func writeTokenBlock<Offsets: TokenOffsets>(
        _ tokens: UnsafeBufferPointer<Token>, _ from: Int, _ to: Int, digits: Int, offsets: inout Offsets,
        id: inout DecimalCounter, suffixes: UnsafeMutablePointer<UInt8>, at p: UnsafeMutablePointer<UInt8>
    ) -> Int {
        // `digits` bounds every id and offset of the block. At most 8 (below 10^8, as good as
        // every text): ids by the counter and every number fits the word copied to reuse it.
        // Otherwise ids formatted and numbers reused only where they fit (a block past one
        // stays past: `digits` only grows from block to block, so the counter is not needed
        // again). Each is a constant in its inlined copy of the loop, which tests neither.
        if digits <= 8 {
            return writeTokenBlock(tokens, from, to, short: true, offsets: &offsets, id: &id, suffixes: suffixes, at: p)
        }
        return writeTokenBlock(tokens, from, to, short: false, offsets: &offsets, id: &id, suffixes: suffixes, at: p)
    }

    @inline(__always)
    private static func writeTokenBlock<Offsets: TokenOffsets>(
        _ tokens: UnsafeBufferPointer<Token>, _ from: Int, _ to: Int, short: Bool, offsets offsetsBack: inout Offsets,
        id idBack: inout DecimalCounter, suffixes: UnsafeMutablePointer<UInt8>, at p: UnsafeMutablePointer<UInt8>
    ) -> Int {
        // Local copies, kept in registers through the loop.
        var offsets = offsetsBack, id = idBack
        defer { offsetsBack = offsets; idBack = id }
        var w = 0
        // Where the previous token's end was written, to reuse its digits when this token
        // starts there or one unit later (most tokens do). No token starts at -2 or -1.
        var previousEnd = -2, previousEndAt = 0, previousEndLength = 0
        for i in from..<to {
            let token = tokens[i]
            // `,{"id":` (the first token's comma becomes the array's `[` below).
            TokenFragments.store(TokenFragments.id, at: p + w)
            w &+= 7
            if short {
                w &+= id.write(to: p + w)
                id.increment()
            } else {
                w &+= JSONWriter.digits(i, at: p + w)
            }
            TokenFragments.store(TokenFragments.start0, at: p + w)
            TokenFragments.store(TokenFragments.start1, at: p + w + 8)
            w &+= 9
            let start = offsets.map(token.start)
            if start == previousEnd, short || previousEndLength <= 8 {
                TokenFragments.copyWord(from: p + previousEndAt, to: p + w)
                w &+= previousEndLength
            } else if start == previousEnd &+ 1, short || previousEndLength <= 8,
                      p[previousEndAt &+ previousEndLength &- 1] != UInt8(ascii: "9") {
                TokenFragments.copyWord(from: p + previousEndAt, to: p + w)
                w &+= previousEndLength
                p[w &- 1] &+= 1
            } else {
                w &+= JSONWriter.digits(start, at: p + w)
            }
            TokenFragments.store(TokenFragments.end, at: p + w)
            w &+= 7
            previousEnd = offsets.map(token.end)
            previousEndAt = w
            previousEndLength = JSONWriter.digits(previousEnd, at: p + w)
            w &+= previousEndLength
            w &+= TokenFragments.storeSuffix(suffixes, kind: token.kind, at: p + w)
        }
        // The array opens where the first token's comma was written.
        if from == 0, w > 0 { p[0] = UInt8(ascii: "[") }
        return w
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

    /// The entities or spans, `[{...},...]`. Spans are read in place (no copy of a span and its
    /// strings); one without `kb_ids`, `groups` or `value` (most) is written in one reserved
    /// write, one with them in three: the offsets, label and kb_id; source and name; the match
    /// offsets and the closing brace, with those fields written between them field by field.
    private func writeSpans(_ spans: [Span], offsets: inout DocumentOffsets, into out: inout JSONWriter, spill: OutputSpill?) {
        out.byte(UInt8(ascii: "["))
        offsets.rewind()
        spans.withUnsafeBufferPointer { spans in
            guard let base = spans.baseAddress else { return }
            for i in 0..<spans.count {
                Self.writeSpan(base + i, comma: i > 0, offsets: &offsets, into: &out)
                if i & 255 == 255 { spill?.check(&out) }
            }
        }
        out.byte(UInt8(ascii: "]"))
    }

    /// One span's record, `{"start":...}`, after a comma if `comma`.
    @inline(__always)
    private static func writeSpan(_ s: UnsafePointer<Span>, comma: Bool, offsets: inout DocumentOffsets, into out: inout JSONWriter) {
        let start = offsets.map(s.pointee.start), end = offsets.map(s.pointee.end)
        let matched = s.pointee.matchStart != s.pointee.start || s.pointee.matchEnd != s.pointee.end
        let matchStart = matched ? offsets.map(s.pointee.matchStart) : 0
        let matchEnd = matched ? offsets.map(s.pointee.matchEnd) : 0
        let source: StaticString = switch s.pointee.source {
        case .pattern: ",\"source\":\"pattern\",\"name\":"
        case .gazetteer: ",\"source\":\"gazetteer\",\"alias\":"
        case .names: ",\"source\":\"names\",\"name\":"
        case .propagation: ",\"source\":\"propagation\",\"name\":"
        }
        utf8(s.pointee.label) { label in utf8(s.pointee.kbId) { kbId in utf8(s.pointee.name) { name in
            // `,{"start":` 10, `,"end":` 7, `,"label":` 9, `,"kb_id":` 9, two integers of at most
            // 20 digits with 8 bytes of slack each, two strings of at most 6 bytes a byte and
            // their quotes.
            let head = 35 &+ 2 &* 28 &+ 6 &* (label.count &+ kbId.count) &+ 4
            @inline(__always) func writeHead(_ p: UnsafeMutablePointer<UInt8>) -> Int {
                var w = 0
                if comma { p[0] = UInt8(ascii: ","); w = 1 }
                w &+= put("{\"start\":", at: p + w)
                w &+= JSONWriter.digits(start, at: p + w)
                w &+= put(",\"end\":", at: p + w)
                w &+= JSONWriter.digits(end, at: p + w)
                w &+= put(",\"label\":", at: p + w)
                w &+= JSONWriter.escaped(label, at: p + w)
                w &+= put(",\"kb_id\":", at: p + w)
                w &+= JSONWriter.escaped(kbId, at: p + w)
                return w
            }
            // The source and name: the fragment and a string as above.
            let middle = source.utf8CodeUnitCount &+ 6 &* name.count &+ 2
            @inline(__always) func writeMiddle(_ p: UnsafeMutablePointer<UInt8>) -> Int {
                let w = put(source, at: p)
                return w &+ JSONWriter.escaped(name, at: p + w)
            }
            // `,"match_start":` 15, `,"match_end":` 13, two integers as above, `}`.
            let tail = 29 &+ 2 &* 28
            @inline(__always) func writeTail(_ p: UnsafeMutablePointer<UInt8>) -> Int {
                var w = 0
                if matched {
                    w &+= put(",\"match_start\":", at: p)
                    w &+= JSONWriter.digits(matchStart, at: p + w)
                    w &+= put(",\"match_end\":", at: p + w)
                    w &+= JSONWriter.digits(matchEnd, at: p + w)
                }
                p[w] = UInt8(ascii: "}")
                return w &+ 1
            }
            guard s.pointee.hasExtras else {
                out.withReserved(head &+ middle &+ tail) { p in
                    var w = writeHead(p)
                    w &+= writeMiddle(p + w)
                    return w &+ writeTail(p + w)
                }
                return
            }
            out.withReserved(head) { writeHead($0) }
            let kbIds = s.pointee.kbIds
            if kbIds.count > 1 {
                out.raw(",\"kb_ids\":[")
                for (k, id) in kbIds.enumerated() {
                    if k > 0 { out.byte(UInt8(ascii: ",")) }
                    out.string(id)
                }
                out.byte(UInt8(ascii: "]"))
            }
            out.withReserved(middle) { writeMiddle($0) }
            let groups = s.pointee.groups
            if !groups.isEmpty {
                out.raw(",\"groups\":{")
                for (k, g) in groups.enumerated() {
                    if k > 0 { out.byte(UInt8(ascii: ",")) }
                    out.string(g.name)
                    out.byte(UInt8(ascii: ":"))
                    out.string(g.value)
                }
                out.byte(UInt8(ascii: "}"))
            }
            if let value = s.pointee.value {
                out.raw(",\"value\":")
                out.string(value)
            }
            out.withReserved(tail) { writeTail($0) }
        }}}
    }

    /// The UTF-8 bytes of `s` in place, valid during `body` (a copy only for a string that does
    /// not hold them contiguously).
    @inline(__always)
    private static func utf8<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = s
        return copy.withUTF8(body)
    }

    /// Copies a fixed fragment to `p` (inside reserved bytes); returns its length.
    @inline(__always)
    private static func put(_ s: StaticString, at p: UnsafeMutablePointer<UInt8>) -> Int {
        p.update(from: s.utf8Start, count: s.utf8CodeUnitCount)
        return s.utf8CodeUnitCount
    }
}

/// Byte offsets to output offsets, read in order (the token writer is specialised for each).
protocol TokenOffsets {
    mutating func map(_ byte: Int) -> Int
}

/// Byte offsets written as they are (`utf8` offsets, ASCII text).
struct ByteOffsets: TokenOffsets {
    /// Unused: it gives the value a size, so that each `inout` of it has its own address (every
    /// empty value passed `inout` shares one, which ThreadSanitizer takes for concurrent access
    /// of one variable by the threads that print at once).
    private var unused: UInt8 = 0
    @inline(__always) func map(_ byte: Int) -> Int { byte }
}

/// The cursor of ``DocumentOffsets`` reading the text's bytes in place, for one pass over the
/// tokens: valid only inside the `withUnsafeBufferPointer` of the text and the
/// `withUnsafeMutablePointer` of the offsets it was made with (its fields are plain values, kept
/// in registers). Offsets it does not reach by a short walk ahead go to those offsets.
struct TextCursor: TokenOffsets {
    let text: UnsafeBufferPointer<UInt8>
    let utf16: Bool
    let fallback: UnsafeMutablePointer<DocumentOffsets>
    /// A byte offset on a character boundary and the units before it (0 <= position <= count).
    private var position: Int
    private var units: Int

    init(_ text: UnsafeBufferPointer<UInt8>, _ fallback: UnsafeMutablePointer<DocumentOffsets>) {
        precondition(text.count == fallback.pointee.text.count && !fallback.pointee.identity)
        self.text = text
        self.fallback = fallback
        utf16 = fallback.pointee.unit == .utf16
        (position, units) = fallback.pointee.cursor
    }

    @inline(__always)
    mutating func map(_ byte: Int) -> Int {
        let p = position
        // Ahead by at most the walk limit (one unsigned compare), on a boundary in the text.
        let d = byte &- p
        if UInt(bitPattern: d) <= UInt(DocumentOffsets.walkLimit),
           byte < text.count ? text[byte] & 0xC0 != 0x80 : byte == text.count {
            if d <= 1 {
                // Nothing, or one byte between two boundaries: an ASCII character.
                units &+= d
            } else if d <= 16, p &+ 16 <= text.count {
                // One or two words, both in the text (p + 16 <= count).
                units &+= UnitCounter.short(text, at: p, d, utf16: utf16)
            } else {
                units &+= UnitCounter.long(text, from: p, to: byte, utf16: utf16)
            }
            position = byte
            return units
        }
        let (mapped, cursor) = Self.elsewhere(byte, fallback, (position, units))
        (position, units) = cursor
        return mapped
    }

    /// Any other offset, by the offsets themselves (their cursor moved to this one first).
    @inline(never)
    private static func elsewhere(_ byte: Int, _ offsets: UnsafeMutablePointer<DocumentOffsets>,
                                  _ cursor: (Int, Int)) -> (Int, (Int, Int)) {
        offsets.pointee.cursor = cursor
        let mapped = offsets.pointee.map(byte)
        return (mapped, offsets.pointee.cursor)
    }

    /// Leaves the offsets' cursor where this one stands.
    func finish() {
        fallback.pointee.cursor = (position, units)
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
struct DocumentOffsets: TokenOffsets {
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

    /// The cursor: a byte offset on a character boundary and the units before it.
    var cursor: (position: Int, units: Int) {
        get { (position, units) }
        set { (position, units) = newValue }
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
        // The common case inline: a near offset ahead, on a character boundary.
        let p = position
        if byte >= p, byte &- p <= Self.walkLimit, byte <= text.count,
           byte == text.count || text[byte] & 0xC0 != 0x80 {
            let utf16 = self.utf16
            units &+= text.withUnsafeBufferPointer { UnitCounter.units($0, from: p, to: byte, utf16: utf16) }
            position = byte
            return units
        }
        return walk(to: byte)
    }

    /// Any other offset: backwards, far, or inside a character.
    @inline(never)
    private mutating func walk(to target: Int) -> Int {
        let distance = target &- position
        let inside = target < text.count && text[target] & 0xC0 == 0x80
        if inside || distance > Self.walkLimit || distance < -Self.walkLimit {
            if mapper == nil { mapper = OffsetMapper(text: text, unit: unit) }
            let mapped = mapper!(target)
            if !inside { position = target; units = mapped }
            return mapped
        }
        let p = position, utf16 = self.utf16
        text.withUnsafeBufferPointer { t in
            if target >= p {
                units &+= UnitCounter.units(t, from: p, to: target, utf16: utf16)
            } else {
                units &-= UnitCounter.units(t, from: target, to: p, utf16: utf16)
            }
        }
        position = target
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
            s[i &- from] = map(tokens[i].start)
            e[i &- from] = map(tokens[i].end)
        }
    }
}

/// Counts the characters (code points, or UTF-16 units) of a run of valid UTF-8, eight bytes
/// at a time: a character starts at every byte that is not a continuation byte (0b10xxxxxx),
/// and with UTF-16 a 4-byte sequence (lead byte 0b11110xxx) counts twice.
enum UnitCounter {
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The characters that start among the bytes of `word` that `keep` keeps (0xFF per byte).
    @inline(__always)
    static func count(_ word: UInt64, keep: UInt64, utf16: Bool) -> Int {
        // Bit 7 of each byte: not (bit 7 and not bit 6). A shift carries a byte's bit 7 into
        // the next byte's bit 0, which the mask drops.
        var starts = (~word | (word << 1)) & highs & keep
        if utf16 { starts = (starts >> 7) &+ ((word & (word << 1) & (word << 2) & (word << 3) & highs & keep) >> 7) } else { starts >>= 7 }
        // Each byte holds 0, 1 or 2: the multiply sums them into the top byte (at most 16).
        return Int(truncatingIfNeeded: (starts &* 0x0101_0101_0101_0101) >> 56)
    }

    /// The characters in the `d` bytes at `t[p...]` (2 <= d <= 16), where the 16 bytes from `p`
    /// lie in `t` (checked): both words are read whole, and only their first `d` bytes counted.
    @inline(__always)
    static func short(_ t: UnsafeBufferPointer<UInt8>, at p: Int, _ d: Int, utf16: Bool) -> Int {
        precondition(p >= 0 && p &+ 16 <= t.count && d >= 2 && d <= 16, "two words inside the text")
        let raw = UnsafeRawPointer(t.baseAddress! + p)
        let first = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        if d <= 8 {
            // The first d bytes (shift 0 to 48).
            return count(first, keep: ~0 &>> UInt64(64 &- 8 &* d), utf16: utf16)
        }
        let second = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        return count(first, keep: ~0, utf16: utf16) &+ count(second, keep: ~0 &>> UInt64(128 &- 8 &* d), utf16: utf16)
    }

    /// ``units(_:from:to:utf16:)`` out of line: for long runs, so that the loop stays out of
    /// the token writer's.
    @inline(never)
    static func long(_ t: UnsafeBufferPointer<UInt8>, from: Int, to: Int, utf16: Bool) -> Int {
        units(t, from: from, to: to, utf16: utf16)
    }

    /// The characters in `t[from..<to]`, which must lie in `t` (checked). Whole words are read
    /// only where all eight bytes lie in `t`; the rest is counted byte by byte.
    @inline(__always)
    static func units(_ t: UnsafeBufferPointer<UInt8>, from: Int, to: Int, utf16: Bool) -> Int {
        precondition(from >= 0 && from <= to && to <= t.count, "a run inside the text")
        guard from < to, let base = t.baseAddress else { return 0 }
        var p = from, u = 0
        // Four words at a time (p + 32 <= to <= t.count: they lie in the buffer): per byte the
        // sum of four 0-or-1 flags (0 to 2 each with UTF-16), at most 8, summed by one multiply.
        while p &+ 32 <= to {
            let raw = UnsafeRawPointer(base + p)
            var sum: UInt64 = 0
            for k in 0..<4 {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k &* 8, as: UInt64.self))
                sum &+= ((~word | (word << 1)) & highs) >> 7
                if utf16 { sum &+= (word & (word << 1) & (word << 2) & (word << 3) & highs) >> 7 }
            }
            u &+= Int(truncatingIfNeeded: (sum &* 0x0101_0101_0101_0101) >> 56)
            p &+= 32
        }
        // p + 8 <= to <= t.count: the word lies in the buffer.
        while p &+ 8 <= to {
            u &+= count(UInt64(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)), keep: ~0, utf16: utf16)
            p &+= 8
        }
        let rest = to &- p
        if rest > 0 {
            if p &+ 8 <= t.count {
                // The word lies in the buffer; only its first `rest` (1 to 7) bytes count.
                let keep: UInt64 = (1 &<< UInt64(rest &* 8)) &- 1
                u &+= count(UInt64(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)), keep: keep, utf16: utf16)
            } else {
                while p < to {
                    let c = base[p]
                    if c & 0xC0 != 0x80 { u &+= (utf16 && c >= 0xF0) ? 2 : 1 }
                    p &+= 1
                }
            }
        }
        return u
    }
}

/// A non-negative integer below 10^8 as ASCII digits in one word, incremented in place.
struct DecimalCounter {
    /// The digits, most significant first, in the low `length` bytes (little-endian).
    private var digits: UInt64 = UInt64(UInt8(ascii: "0"))
    private var length = 1
    /// The shift of the last digit's byte, `8 * (length - 1)`.
    private var lastShift: UInt64 = 0

    /// Writes the digits at `p` (an 8-byte store: the caller reserves 8 bytes); returns how many.
    @inline(__always) func write(to p: UnsafeMutablePointer<UInt8>) -> Int {
        UnsafeMutableRawPointer(p).storeBytes(of: digits.littleEndian, as: UInt64.self)
        return length
    }

    @inline(__always) mutating func increment() {
        // Nine times in ten the last digit is not 9: one add.
        if (digits &>> lastShift) & 0xFF != UInt64(UInt8(ascii: "9")) {
            digits &+= 1 &<< lastShift
            return
        }
        carry()
    }

    /// The last digit is 9: carry.
    @inline(never) private mutating func carry() {
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
        lastShift = UInt64(8 * (length - 1))
    }
}

/// The fixed parts of a token record, stored as whole 8-byte words.
final class TokenFragments: @unchecked Sendable {
    static let shared = TokenFragments()
    /// `,{"id":` (7 bytes) as a little-endian word (checked by the tests).
    static let id: UInt64 = 0x003a_2264_6922_7b2c
    /// `,"start":` (9 bytes) in two words.
    static let start0: UInt64 = 0x2274_7261_7473_222c
    static let start1: UInt64 = 0x0000_0000_0000_003a
    /// `{"start"` (8 bytes; a sentence's, before its `:`).
    static let sentenceStart0: UInt64 = 0x2274_7261_7473_227b
    /// `,"end":` (7 bytes).
    static let end: UInt64 = 0x003a_2264_6e65_222c
    /// `,"kind":"word"}` ... per kind in 24 bytes each, the suffix's length in the last byte.
    let suffixes: UnsafeMutablePointer<UInt8>

    private init() {
        suffixes = .allocate(capacity: 24 * TokenKind.allCases.count)
        suffixes.initialize(repeating: 0, count: 24 * TokenKind.allCases.count)
        for kind in TokenKind.allCases {
            let bytes = Array(",\"kind\":\"\(kind.name)\"}".utf8)
            precondition(bytes.count <= 23)
            let slot = suffixes + 24 * Int(kind.rawValue)
            slot.update(from: bytes, count: bytes.count)
            slot[23] = UInt8(bytes.count)
        }
    }

    /// Stores a word at `p` (the caller has reserved 8 bytes there).
    @inline(__always) static func store(_ word: UInt64, at p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: word.littleEndian, as: UInt64.self)
    }

    /// Copies 8 bytes from `source` to `p` (both in the reserved bytes).
    @inline(__always) static func copyWord(from source: UnsafeMutablePointer<UInt8>, to p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: UnsafeRawPointer(source).loadUnaligned(as: UInt64.self), as: UInt64.self)
    }

    /// Stores the 24-byte slot of `kind` at `p` (the caller has reserved 24 bytes); returns
    /// the suffix's length. `kind.rawValue` is below `TokenKind.allCases.count`, so the slot
    /// lies in `suffixes`.
    @inline(__always) static func storeSuffix(_ suffixes: UnsafeMutablePointer<UInt8>, kind: TokenKind,
                                              at p: UnsafeMutablePointer<UInt8>) -> Int {
        let raw = UnsafeRawPointer(suffixes + 24 &* Int(kind.rawValue))
        let out = UnsafeMutableRawPointer(p)
        let last = raw.load(fromByteOffset: 16, as: UInt64.self)
        out.storeBytes(of: raw.load(as: UInt64.self), as: UInt64.self)
        out.storeBytes(of: raw.load(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
        out.storeBytes(of: last, toByteOffset: 16, as: UInt64.self)
        return Int(truncatingIfNeeded: UInt64(littleEndian: last) >> 56)
    }
}

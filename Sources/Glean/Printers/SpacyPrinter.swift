import GleanCore
import GleanIO

/// spaCy's binary `DocBin` (`.spacy`), as `spacy.tokens.DocBin.to_bytes` writes it: a zlib
/// stream of one MessagePack map `{version, attrs, tokens, spaces, lengths, strings, cats, flags,
/// span_groups}`, where `tokens` holds one row of 64-bit values per token for the attributes
/// `ORTH, ENT_IOB, ENT_TYPE, SENT_START, ENT_KB_ID` (strings as spaCy's hashes or symbol ids),
/// `spaces` one byte per token, `lengths` the tokens per document, and `span_groups` each
/// document's `doc.spans` serialised as spaCy's `SpanGroups.to_bytes` does.
///
/// `DocBin().from_disk(path).get_docs(nlp.vocab)` gives back each document's text, tokens,
/// sentences (`--emit sents`), entities with their kb_id (`--emit ents`) and span groups
/// (`--emit spans`). Span offsets in a DocBin are tokens and code points, whatever `--offsets` says.
///
/// One DocBin is one blob: the printer writes each document as a binary entry into its batch,
/// and ``DocBinAssembler`` gathers them and writes the blob when the output is complete.
public final class SpacyPrinter: Printer {
    let configuration: AnnotatorConfiguration
    /// The strings of the document being printed, by hash (spaCy keys its strings by hash too).
    private var documentStrings: [UInt64: [UInt8]] = [:]

    /// The attribute ids of the token rows, in spaCy's order (ORTH first, then sorted).
    static let attributes: [UInt64] = [65, 77, 78, 80, 452]  // ORTH, ENT_IOB, ENT_TYPE, SENT_START, ENT_KB_ID
    /// spaCy's symbols by the hash of their text, to their fixed ids.
    static let symbolsByHash: [UInt64: UInt64] = Dictionary(SpacySymbols.table.map { (MurmurHash64A.hash(Array($0.0.utf8)), $0.1) },
                                                            uniquingKeysWith: { a, _ in a })

    public init(configuration: AnnotatorConfiguration) {
        self.configuration = configuration
    }

    /// spaCy's id of a string: 0 for "", the symbol id for spaCy's symbols, otherwise the hash.
    static func stringID(_ s: [UInt8]) -> UInt64 {
        s.withUnsafeBufferPointer { stringID(hash: MurmurHash64A.hash($0), empty: $0.isEmpty) }
    }

    @inline(__always)
    static func stringID(hash: UInt64, empty: Bool) -> UInt64 {
        if empty { return 0 }
        return symbolsByHash[hash] ?? hash
    }

    /// The id of `s`, noting `s` among the document's strings.
    private func id(_ s: UnsafeBufferPointer<UInt8>) -> UInt64 {
        if s.isEmpty { return 0 }
        let hash = MurmurHash64A.hash(s)
        if documentStrings[hash] == nil { documentStrings[hash] = Array(s) }
        return Self.stringID(hash: hash, empty: false)
    }

    private func id(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { id($0) }
    }

    public func print(_ doc: Document, record: DecodedRecord, into out: inout JSONWriter) {
        let emit = configuration.emit
        let tokens = doc.tokens
        let n = tokens.count
        documentStrings.removeAll(keepingCapacity: true)
        var rows = [UInt64](repeating: 0, count: n * 5)
        var spaces = [UInt8](repeating: 0, count: n)
        doc.text.withUnsafeBufferPointer { text in
            for (i, t) in tokens.enumerated() {
                rows[i * 5] = id(UnsafeBufferPointer(rebasing: text[t.start..<t.end]))
            }
        }
        for (i, t) in tokens.enumerated() {
            let nextStart = i + 1 < n ? tokens[i + 1].start : doc.text.count
            if nextStart == t.end + 1, doc.text[t.end] == 0x20 { spaces[i] = 1 }
        }
        if emit.contains(.ents) {
            for i in 0..<n { rows[i * 5 + 1] = 2 }  // O
            for e in doc.entities where e.firstToken < e.endToken && e.endToken <= n {
                let label = id(e.label)
                let kb = id(e.kbId)
                for i in e.firstToken..<e.endToken {
                    rows[i * 5 + 1] = i == e.firstToken ? 3 : 1  // B, I
                    rows[i * 5 + 2] = label
                    rows[i * 5 + 4] = kb
                }
            }
        }
        if emit.contains(.sents) {
            for s in doc.sentences where s.firstToken < s.endToken && s.endToken <= n {
                rows[s.firstToken * 5 + 3] = 1
                for i in (s.firstToken + 1)..<s.endToken { rows[i * 5 + 3] = UInt64(bitPattern: -1) }
            }
        }
        var groups = MessagePackWriter()
        if emit.contains(.spans) {
            var offsets = DocumentOffsets(doc, unit: .codepoint)
            groups.arrayHeader(doc.spanGroups.count)
            for group in doc.spanGroups {
                var g = MessagePackWriter()
                g.mapHeader(3)
                g.string("name"); g.string(group.name)
                g.string("attrs"); g.mapHeader(0)
                g.string("spans"); g.arrayHeader(group.spans.count)
                for s in group.spans {
                    var packed: [UInt8] = []
                    packed.reserveCapacity(40)
                    func be64(_ v: UInt64) { for k in stride(from: 56, through: 0, by: -8) { packed.append(UInt8(truncatingIfNeeded: v >> UInt64(k))) } }
                    func be32(_ v: Int) { for k in [24, 16, 8, 0] { packed.append(UInt8(truncatingIfNeeded: v >> k)) } }
                    be64(0)  // span id
                    be64(id(s.kbId))
                    be64(id(s.label))
                    be32(s.firstToken)
                    be32(s.endToken)
                    be32(offsets.start(of: s.firstToken, byte: s.start))
                    be32(offsets.end(of: s.endToken - 1, byte: s.end))
                    g.binary(packed)
                }
                groups.binary(g.bytes)
            }
        } else {
            groups.arrayHeader(0)  // spaCy's SpanGroups._EMPTY_BYTES
        }

        // The entry: counts, token rows, spaces, strings, span groups (little-endian).
        // In hash order: the assembler sorts the whole table once.
        let sortedStrings = documentStrings.sorted { $0.key < $1.key }.map(\.value)
        var entry = [UInt8]()
        entry.reserveCapacity(12 + n * 41 + groups.bytes.count + sortedStrings.reduce(0) { $0 + $1.count + 4 })
        func le32(_ v: Int) { for k in [0, 8, 16, 24] { entry.append(UInt8(truncatingIfNeeded: v >> k)) } }
        le32(n)
        le32(sortedStrings.count)
        le32(groups.bytes.count)
        rows.withUnsafeBytes { raw in
            // Little-endian on every machine Swift on Linux runs on; checked once here.
            precondition(1.littleEndian == 1, "DocBin rows are written in the machine's byte order, which must be little-endian")
            entry.append(contentsOf: raw)
        }
        entry.append(contentsOf: spaces)
        for s in sortedStrings { le32(s.count); entry.append(contentsOf: s) }
        entry.append(contentsOf: groups.bytes)
        out.raw(entry)
    }
}

/// Gathers the DocBin entries of one output in order and writes the DocBin at the end. Memory:
/// 41 bytes per token (a row of five 64-bit values and a space flag) plus each distinct string
/// once, held until the output is complete, and about as much again while the blob is built.
public final class DocBinAssembler: OutputAssembler {
    private var tokens: [UInt8] = []
    private var spaces: [UInt8] = []
    private var lengths: [Int32] = []
    /// Every distinct string, by spaCy's hash of it.
    private var strings: [UInt64: [UInt8]] = [:]
    private var spanGroups: [[UInt8]] = []

    public init() {}

    public var streams: Bool { false }
    public func header() -> [UInt8] { [] }

    public func consume(_ batch: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var i = 0
        func le32() -> Int {
            let v = Int(batch[i]) | Int(batch[i + 1]) << 8 | Int(batch[i + 2]) << 16 | Int(batch[i + 3]) << 24
            i += 4
            return v
        }
        while i < batch.count {
            let n = le32(), stringCount = le32(), groupBytes = le32()
            tokens.append(contentsOf: UnsafeBufferPointer(rebasing: batch[i..<i + n * 40])); i += n * 40
            spaces.append(contentsOf: UnsafeBufferPointer(rebasing: batch[i..<i + n])); i += n
            lengths.append(Int32(n))
            for _ in 0..<stringCount {
                let length = le32()
                let string = UnsafeBufferPointer(rebasing: batch[i..<i + length])
                let hash = MurmurHash64A.hash(string)
                if strings[hash] == nil { strings[hash] = Array(string) }
                i += length
            }
            spanGroups.append(Array(batch[i..<i + groupBytes])); i += groupBytes
        }
        return []
    }

    public func finish() -> [UInt8] {
        let documents = lengths.count
        var m = MessagePackWriter(capacity: tokens.count + spaces.count + documents * 40 + 1024)
        m.mapHeader(9)
        m.string("version"); m.string("0.1")
        m.string("attrs"); m.arrayHeader(SpacyPrinter.attributes.count)
        for a in SpacyPrinter.attributes { m.uint(a) }
        m.string("tokens"); m.binary(tokens)
        tokens = []
        m.string("spaces"); m.binary(spaces)
        spaces = []
        m.string("lengths")
        m.binaryHeader(documents * 4)
        for l in lengths { for k in [0, 8, 16, 24] { m.bytes.append(UInt8(truncatingIfNeeded: l >> Int32(k))) } }
        m.string("strings")
        let sorted = strings.values.sorted { $0.lexicographicallyPrecedes($1) }
        strings = [:]
        m.arrayHeader(sorted.count)
        for s in sorted { m.string(utf8: s) }
        m.string("cats"); m.arrayHeader(documents)
        for _ in 0..<documents { m.mapHeader(0) }
        m.string("flags"); m.arrayHeader(documents)
        for _ in 0..<documents { m.mapHeader(1); m.string("has_unknown_spaces"); m.bool(false) }
        m.string("span_groups"); m.arrayHeader(documents)
        for g in spanGroups { m.binary(g) }
        spanGroups = []
        // Level 3: 4 times faster than zlib's default (6) here, 7% larger.
        return m.bytes.withUnsafeBufferPointer { BlockCompressor.zlib($0, level: 3) }
    }
}

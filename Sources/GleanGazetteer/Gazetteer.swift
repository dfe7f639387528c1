import Foundation
import GleanCore

/// A compiled gazetteer file that cannot be used: missing, truncated, foreign, from another
/// version, or corrupt. Never a crash. `description` names the file and the reason:
/// `geo.glz: truncated: the header says 5134680 bytes, the file has 4096`.
public struct GazetteerFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// One entry that a name maps to (`glean gazetteer lookup`): `lookup("Georgia")` on the default
/// gazetteer gives `Georgia GPE ISO3166-1:GE`, then `Georgia GPE ISO3166-2:US-GA`, in priority order.
public struct GazetteerHit: Sendable, Equatable {
    public var alias: String
    public var label: String
    public var kbId: String
}

/// A summary of a compiled gazetteer (`glean gazetteer info`): format version, folding, counts
/// (entries, distinct names, trie nodes, table slots), size in bytes, checksum, and entries per
/// label, e.g. `[("GPE", 61589), ("LANGUAGE", 182)]`.
public struct GazetteerInfo: Sendable {
    public var version: UInt32
    public var folding: TextFolding
    public var entries: Int
    public var names: Int
    public var nodes: Int
    public var slots: Int
    public var bytes: Int
    public var checksum: UInt64
    /// Entries per label, in label order.
    public var entriesPerLabel: [(label: String, count: Int)]
}

/// A gazetteer ready to match: the compiled image, memory-mapped from a `.glz` file or compiled in
/// memory, used in place without parsing. Immutable and thread-safe: many threads may call
/// ``findMatches(in:into:)`` on one shared value.
///
/// Semantics. A name is the sequence of its tokens, cut by the same tokenizer as the text, with
/// whitespace tokens left out. A match is a run of the text's non-whitespace tokens whose folded
/// forms (see ``CaseMode``; ``TextFolding/foldAccents``) equal a name's, token for token:
/// - it starts at a token start and ends at a token end: "Sydney's west" yields Sydney (the
///   tokenizer splits `'s` off), "erhält" never yields "lt";
/// - whitespace between tokens is not compared, so "New York" matches "New\n  York" (and
///   "Guinea-Bissau" matches "Guinea - Bissau", as in spaCy's token matchers);
/// - punctuation is a token and must be there: "St. Louis" does not match "St Louis";
/// - every match is reported, overlapping and nested ones included ("New York" and "New York
///   City" both over "New York City Hall"); choosing among them is the resolution policy's job;
/// - one span per (match, label): its `kbId` is the first id in source order, `kbIds` all of them
///   when there are several, `name` the alias (as written in the source) of the first entry;
/// - offsets are UTF-8 byte offsets into the original text, never into a folded copy.
///
/// ```swift
/// let (gazetteer, _) = try Gazetteer.compile(
///     [GazetteerEntry(name: "New York", label: "GPE", kbId: "5128581"),
///      GazetteerEntry(name: "New York City", label: "GPE")],
///     tokenize: { try segmenter.segment(&$0, sentences: false) })
/// var doc = Document("NEW YORK CITY\nhall"); try segmenter.segment(&doc)
/// var spans: [Span] = []
/// gazetteer.findMatches(in: doc, into: &spans)
/// // [0,8) "NEW YORK" GPE kb 5128581 alias "New York"; [0,13) "NEW YORK CITY" GPE
/// ```
public struct Gazetteer: Sendable {
    let image: GazetteerImage
    /// Where it came from: a file path, or "(in memory)".
    public let origin: String
    private var allowedLabels: [Bool]?
    /// The document languages this gazetteer applies to (primary subtags, lowercase: "en"), or
    /// nil for every language. Not stored in the compiled file: it is how a gazetteer is used.
    public private(set) var languages: Set<String>?

    /// Maps a compiled file and validates it (header, bounds, and by default the checksum).
    public static func load(path: String, verifyChecksum: Bool = true) throws -> Gazetteer {
        Gazetteer(image: try GazetteerImage(mapping: path, verifyChecksum: verifyChecksum), origin: path)
    }

    /// ``load(path:verifyChecksum:)`` with the checksum always verified, and the structure
    /// validated unless the file's checksum is `validatedChecksum`: the checksum of bytes whose
    /// structure this program has already validated (``GazetteerValidationStamp``).
    static func load(path: String, validatedChecksum: UInt64?) throws -> Gazetteer {
        Gazetteer(image: try GazetteerImage(mapping: path, verifyChecksum: true, validatedChecksum: validatedChecksum), origin: path)
    }

    /// Uses a compiled image held in memory (copied into aligned storage).
    public init(image bytes: [UInt8], origin: String = "(in memory)", verifyChecksum: Bool = true) throws {
        self.image = try GazetteerImage(copying: bytes, origin: origin, verifyChecksum: verifyChecksum)
        self.origin = origin
    }

    init(image: GazetteerImage, origin: String) {
        self.image = image
        self.origin = origin
    }

    /// Compiles entries in memory.
    public static func compile(_ entries: [GazetteerEntry], options: GazetteerCompileOptions = GazetteerCompileOptions(),
                               tokenize: NameTokenizer) throws -> (Gazetteer, CompileReport) {
        let (bytes, report) = try GazetteerCompiler.compile(entries, options: options, tokenize: tokenize)
        return (try Gazetteer(image: bytes, verifyChecksum: false), report)
    }

    /// Loads a `.glz` file, or compiles source files (TSV, patterns JSONL) in memory.
    public static func open(paths: [String], options: GazetteerCompileOptions = GazetteerCompileOptions(),
                            tokenize: NameTokenizer) throws -> (Gazetteer, CompileReport?) {
        if paths.count == 1, paths[0].lowercased().hasSuffix(".glz") {
            return (try load(path: paths[0]), nil)
        }
        var entries: [GazetteerEntry] = []
        for p in paths {
            if p.lowercased().hasSuffix(".glz") {
                throw GazetteerFileError(path: p, reason: "a compiled gazetteer cannot be mixed with sources; give it on its own")
            }
            entries += try GazetteerSources.read(path: p)
        }
        let (g, report) = try compile(entries, options: options, tokenize: tokenize)
        return (Gazetteer(image: g.image, origin: paths.joined(separator: ",")), report)
    }

    /// The same gazetteer reporting only the given labels.
    public func restricted(toLabels labels: Set<String>) -> Gazetteer {
        var copy = self
        copy.allowedLabels = image.labels.map { labels.contains($0) }
        return copy
    }

    /// The same gazetteer applied only to documents in the given languages: `findMatches` finds
    /// nothing in a document whose `lang`'s primary subtag (case-insensitive; "en-AU" -> "en") is
    /// not one of them. The default gazetteer is English-only, so that "Der Zug" in a German
    /// document does not yield the Swiss town of Zug:
    /// `gazetteer.restricted(toLanguages: ["en"]).applies(toLanguage: "de")` is false.
    public func restricted(toLanguages languages: Set<String>) -> Gazetteer {
        var copy = self
        copy.languages = Set(languages.map { Self.primaryLanguage($0) })
        return copy
    }

    /// Whether matching runs on a document whose `lang` is `lang` (see ``restricted(toLanguages:)``).
    public func applies(toLanguage lang: String) -> Bool {
        guard let languages else { return true }
        return languages.contains(Self.primaryLanguage(lang))
    }

    static func primaryLanguage(_ lang: String) -> String {
        let end = lang.firstIndex { $0 == "-" || $0 == "_" } ?? lang.endIndex
        return lang[..<end].lowercased()
    }

    public var folding: TextFolding { image.folding }
    public var labels: [String] { image.labels }

    /// Appends a span for every match in `document` (which must be tokenized, and whose language
    /// it applies to: ``applies(toLanguage:)``) to `spans`, in order
    /// of start token, then of length. Spans are token-aligned: `start`, `end`, `firstToken`,
    /// `endToken` are set and `matchStart`/`matchEnd` equal `start`/`end`.
    public func findMatches(in document: Document, into spans: inout [Span]) {
        guard applies(toLanguage: document.lang) else { return }
        image.findMatches(text: document.text, tokens: document.tokens, allowed: allowedLabels, cache: nil, names: nil,
                          spansCache: nil, into: &spans)
    }

    /// The same, with one thread's ``GazetteerScratch``: a cache of recent trie steps that makes
    /// frequent words cheap. Give each thread its own scratch (a scratch is not thread-safe).
    public func findMatches(in document: Document, into spans: inout [Span], scratch: GazetteerScratch) {
        guard applies(toLanguage: document.lang) else { return }
        scratch.prepare(for: image, allowed: allowedLabels)
        // Room for a document's usual matches at once (the array would grow one doubling at a
        // time from empty).
        if spans.capacity < spans.count + 32 { spans.reserveCapacity(spans.count + 32) }
        image.findMatches(text: document.text, tokens: document.tokens, allowed: allowedLabels, cache: scratch.slots,
                          names: scratch.names, spansCache: scratch.spans, into: &spans)
    }

    /// What `name` maps to: tokenized and folded as the text would be, smart-case included.
    public func lookup(_ name: String, tokenize: NameTokenizer) throws -> [GazetteerHit] {
        var doc = Document(name)
        try tokenize(&doc)
        return image.hits(text: doc.text, tokens: doc.tokens, allowed: allowedLabels)
    }

    public var info: GazetteerInfo { image.info }

    /// The image checksum stored in the header (cheap, unlike ``info``).
    public var checksum: UInt64 { image.checksum }
}

/// One thread's scratch space for ``Gazetteer/findMatches(in:into:scratch:)``: a direct-mapped
/// cache of 4096 recent trie steps (parent node, token key) -> child, negative answers included,
/// so that frequent tokens ("the", "of", "New") skip the trie's large table. 64 KiB; not
/// thread-safe; reset automatically when used with another gazetteer.
public final class GazetteerScratch {
    struct Slot {
        var key: UInt64
        var parent: UInt32
        var child: UInt32
    }
    static let log2 = 12
    static let count = 1 << log2
    let slots: UnsafeMutablePointer<Slot>

    /// The strings of recently matched entries, so that a frequent name does not build its
    /// alias and id again for every match.
    struct Names {
        var entry: Int
        var alias: String
        var kbId: String
    }
    static let namesCount = 1024
    let names: UnsafeMutablePointer<Names>

    /// The spans of recently matched trie nodes (one per label, offsets to be filled in), by node
    /// and by whether the occurrence was all lowercase (smart case), so that a frequent name
    /// ("Australia") is a copy of ready spans rather than a walk over its entries and strings.
    struct NodeSpans {
        var node: UInt32
        var lowercase: Bool
        /// The occurrence was a short word in capitals ("GAO"; see ``GazetteerImage/isShortCapitals(_:_:)``).
        var shortCapitals: Bool
        var spans: [Span]
    }
    static let spansCount = 1024
    let spans: UnsafeMutablePointer<NodeSpans>
    private var owner: ObjectIdentifier?
    private var ownerAllowed: [Bool]?

    public init() {
        slots = .allocate(capacity: Self.count)
        slots.initialize(repeating: Slot(key: 0, parent: .max, child: 0), count: Self.count)
        names = .allocate(capacity: Self.namesCount)
        names.initialize(repeating: Names(entry: -1, alias: "", kbId: ""), count: Self.namesCount)
        spans = .allocate(capacity: Self.spansCount)
        spans.initialize(repeating: NodeSpans(node: 0, lowercase: false, shortCapitals: false, spans: []), count: Self.spansCount)
    }

    deinit {
        slots.deallocate()
        names.deinitialize(count: Self.namesCount)
        names.deallocate()
        spans.deinitialize(count: Self.spansCount)
        spans.deallocate()
    }

    func prepare(for image: GazetteerImage, allowed: [Bool]?) {
        let id = ObjectIdentifier(image)
        if owner != id {
            slots.update(repeating: Slot(key: 0, parent: .max, child: 0), count: Self.count)
            for k in 0..<Self.namesCount { names[k].entry = -1 }
            owner = id
            ownerAllowed = allowed
            for k in 0..<Self.spansCount { spans[k] = NodeSpans(node: 0, lowercase: false, shortCapitals: false, spans: []) }
        } else if ownerAllowed != allowed {
            // The same image restricted to other labels: the ready spans no longer apply.
            ownerAllowed = allowed
            for k in 0..<Self.spansCount { spans[k] = NodeSpans(node: 0, lowercase: false, shortCapitals: false, spans: []) }
        }
    }
}

/// The validated bytes of a compiled gazetteer and the raw pointers into its sections. All reads
/// go through these pointers with bounds checked against the validated counts.
final class GazetteerImage: @unchecked Sendable {
    private let base: UnsafeRawPointer
    private let size: Int
    private let release: () -> Void
    let folding: TextFolding
    let foldOptions: Int32
    let smart: Bool
    let entryCount: Int
    let nodeCount: Int
    let slotCount: Int
    let labelCount: Int
    let filterLog2: UInt32
    let edgeLog2: UInt32
    let edgeFilter: UnsafePointer<UInt8>
    let longestProbe: Int
    let names: Int
    let checksum: UInt64
    let slots: UnsafeRawPointer
    let nodes: UnsafeRawPointer
    let entries: UnsafeRawPointer
    let filter: UnsafePointer<UInt8>
    let strings: UnsafePointer<UInt8>
    let stringPoolSize: Int
    let labels: [String]

    /// Maps a file; with `verifyChecksum`, a file whose checksum is `validatedChecksum` is not
    /// validated again (its bytes are those that were).
    convenience init(mapping path: String, verifyChecksum: Bool, validatedChecksum: UInt64? = nil) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw GazetteerFileError(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw GazetteerFileError(path: path, reason: "cannot stat") }
        let size = Int(st.st_size)
        guard size >= GLZ.headerSize else {
            throw GazetteerFileError(path: path, reason: size == 0 ? "empty file, not a compiled gazetteer" :
                                        "truncated: \(size) bytes, shorter than the \(GLZ.headerSize)-byte header")
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw GazetteerFileError(path: path, reason: "cannot map into memory: \(String(cString: strerror(errno)))")
        }
        try self.init(base: UnsafeRawPointer(p), size: size, origin: path, verifyChecksum: verifyChecksum,
                      validatedChecksum: validatedChecksum, release: { munmap(p, size) })
        // A file that matches nothing is a mistake, not a gazetteer: say so rather than load it.
        guard entryCount > 0 else { throw GazetteerFileError(path: path, reason: "no entries: the compiled gazetteer is empty") }
    }

    convenience init(copying bytes: [UInt8], origin: String, verifyChecksum: Bool) throws {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { if let b = $0.baseAddress { p.copyMemory(from: b, byteCount: bytes.count) } }
        try self.init(base: UnsafeRawPointer(p), size: bytes.count, origin: origin, verifyChecksum: verifyChecksum,
                      release: { p.deallocate() })
    }

    private init(base: UnsafeRawPointer, size: Int, origin: String, verifyChecksum: Bool, validatedChecksum: UInt64? = nil,
                 release: @escaping () -> Void) throws {
        func fail(_ reason: String) -> GazetteerFileError {
            release()
            return GazetteerFileError(path: origin, reason: reason)
        }
        guard size >= GLZ.headerSize else { throw fail("truncated: \(size) bytes, shorter than the header") }
        func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        guard (0..<8).allSatisfy({ base.load(fromByteOffset: $0, as: UInt8.self) == GLZ.magic[$0] }) else {
            throw fail("not a compiled Glean gazetteer (wrong magic bytes)")
        }
        let version = u32(8)
        guard version == GLZ.version else {
            throw fail("compiled gazetteer format version \(version), this Glean reads version \(GLZ.version): recompile it with `glean compile`")
        }
        guard Int(u32(12)) == GLZ.headerSize else { throw fail("corrupt header (header size)") }
        guard let folding = GLZ.decode(u32(GLZ.optionsOffset)) else { throw fail("corrupt header (options)") }
        let declaredSize = u64(GLZ.fileSizeOffset)
        guard declaredSize == UInt64(size) else {
            throw fail(declaredSize > UInt64(size) ? "truncated: the header says \(declaredSize) bytes, the file has \(size)"
                                                   : "corrupt: the header says \(declaredSize) bytes, the file has \(size)")
        }
        let entryCount = Int(u32(GLZ.entryCountOffset)), nodeCount = Int(u32(GLZ.nodeCountOffset))
        let slotCount = Int(u32(GLZ.slotCountOffset)), labelCount = Int(u32(GLZ.labelCountOffset))
        let filters = u32(GLZ.filterLog2Offset)
        let filterLog2 = filters & 0xFF, edgeLog2 = (filters >> 8) & 0xFF
        let poolSize = u64(GLZ.stringPoolSizeOffset)
        guard nodeCount >= 1, nodeCount <= Int(GLZ.nodeMask), slotCount >= 1, filters >> 16 == 0,
              (3...32).contains(filterLog2), (12...32).contains(edgeLog2), poolSize < UInt64(size) else {
            throw fail("corrupt header (counts)")
        }
        let lengths: [UInt64] = [UInt64(slotCount) * 16, UInt64(nodeCount) * 8, UInt64(entryCount) * 20,
                                 UInt64(labelCount) * 8, (UInt64(1) << UInt64(filterLog2)) / 8, poolSize]
        var offsets: [Int] = []
        var previousEnd = UInt64(GLZ.headerSize)
        for k in 0..<6 {
            let o = u64(GLZ.sectionsOffset + 8 * k)
            guard o % 8 == 0, o >= previousEnd, o <= UInt64(size), lengths[k] <= UInt64(size) - o else {
                throw fail("corrupt header (section \(k) out of bounds)")
            }
            offsets.append(Int(o))
            previousEnd = o + lengths[k]
        }
        let edgeOffset = u64(GLZ.edgeFilterOffset), edgeLength = (UInt64(1) << UInt64(edgeLog2)) / 8
        guard edgeOffset % 8 == 0, edgeOffset >= previousEnd, edgeOffset <= UInt64(size), edgeLength <= UInt64(size) - edgeOffset else {
            throw fail("corrupt header (edge filter out of bounds)")
        }
        let checksum = u64(GLZ.checksumOffset)
        if verifyChecksum {
            let actual = GLZ.imageChecksum(base, size)
            guard actual == checksum else { throw fail("corrupt: checksum mismatch (the file was damaged or altered)") }
        }
        // The structure, whatever the checksum says (a crafted file can carry a right one),
        // unless these very bytes (their checksum verified just now) were validated before.
        let validated = verifyChecksum && validatedChecksum == checksum
        if !validated, let broken = GLZValidator.validate(
            slots: SlotView(base: base + offsets[0], count: slotCount), nodes: NodeView(base: base + offsets[1], count: nodeCount),
            entries: EntryView(base: base + offsets[2], count: entryCount), labels: LabelView(base: base + offsets[3], count: labelCount),
            poolSize: Int(poolSize), longestProbe: Int(u32(GLZ.longestProbeOffset)), names: Int(u32(GLZ.nameCountOffset)),
            filter: (base + offsets[4]).assumingMemoryBound(to: UInt8.self), filterLog2: filterLog2,
            edgeFilter: (base + Int(edgeOffset)).assumingMemoryBound(to: UInt8.self), edgeLog2: edgeLog2) {
            throw fail(broken)
        }
        self.base = base
        self.size = size
        self.release = release
        self.folding = folding
        self.foldOptions = folding.icuOptions
        self.smart = folding.caseMode == .smart
        self.entryCount = entryCount
        self.nodeCount = nodeCount
        self.slotCount = slotCount
        self.labelCount = labelCount
        self.filterLog2 = filterLog2
        self.edgeLog2 = edgeLog2
        self.edgeFilter = (base + Int(edgeOffset)).assumingMemoryBound(to: UInt8.self)
        self.longestProbe = Int(u32(GLZ.longestProbeOffset))
        self.names = Int(u32(GLZ.nameCountOffset))
        self.checksum = checksum
        self.slots = base + offsets[0]
        self.nodes = base + offsets[1]
        self.entries = base + offsets[2]
        self.filter = (base + offsets[4]).assumingMemoryBound(to: UInt8.self)
        self.strings = (base + offsets[5]).assumingMemoryBound(to: UInt8.self)
        self.stringPoolSize = Int(poolSize)
        var labels: [String] = []
        for k in 0..<labelCount {
            let (o, n) = LabelView(base: base + offsets[3], count: labelCount)[k]
            labels.append(o + n <= Int(poolSize) ? String(decoding: UnsafeBufferPointer(start: strings + o, count: n), as: UTF8.self) : "?")
        }
        self.labels = labels
    }

    deinit { release() }

    // MARK: The automaton for long names

    private let automatonLock = NSLock()
    private var automatonState: (built: Bool, value: GazetteerAutomaton?) = (false, nil)

    /// The Aho-Corasick automaton over the trie when some name is longer than
    /// ``GazetteerAutomaton/walkDepth`` tokens (built once, on first use), else nil: then the walk
    /// from each token costs at most that many steps.
    func automaton() -> GazetteerAutomaton? {
        automatonLock.lock()
        defer { automatonLock.unlock() }
        if !automatonState.built { automatonState = (true, GazetteerAutomaton.build(self)) }
        return automatonState.value
    }

    // MARK: Reading the sections

    /// The child (node id with the has-entries and has-children bits) of `parent` (a node id)
    /// along `key`, or 0.
    @inline(__always)
    func child(_ parent: UInt32, _ key: UInt64) -> UInt32 {
        let h = GLZ.edgeHash(parent: parent, key: key)
        return probe(parent, key, h)
    }

    @inline(__always)
    func probe(_ parent: UInt32, _ key: UInt64, _ h: UInt64) -> UInt32 {
        var s = GLZ.slotIndex(h, count: slotCount)
        var probes = 0
        let table = slotView
        while probes <= longestProbe && probes < slotCount {
            let c = table.child(s)
            if c == 0 { return 0 }
            let slot = table[s]
            if slot.key == key && slot.parent == parent {
                let id = c & GLZ.nodeMask
                return id != 0 && Int(id) < nodeCount ? c : 0
            }
            s += 1
            if s == slotCount { s = 0 }
            probes += 1
        }
        return 0
    }

    var slotView: SlotView { SlotView(base: slots, count: slotCount) }
    var nodeView: NodeView { NodeView(base: nodes, count: nodeCount) }
    var entryView: EntryView { EntryView(base: entries, count: entryCount) }

    @inline(__always)
    func node(_ n: UInt32) -> (first: Int, count: Int, hasChildren: Bool) {
        let r = nodeView[Int(n)]
        return (r.first, r.entries, r.hasChildren)
    }

    @inline(__always)
    func passesFilter(_ key: UInt64) -> Bool {
        let bit = GLZ.filterBit(key, log2: filterLog2)
        return filter[bit >> 3] & (1 << UInt8(bit & 7)) != 0
    }

    struct Entry {
        var alias: String
        var kbId: String
        var label: Int
        var capital: Bool
    }

    func string(_ offset: UInt32, _ length: UInt32) -> String {
        let o = Int(offset), n = Int(length)
        guard o <= stringPoolSize, n <= stringPoolSize - o else { return "" }
        return String(decoding: UnsafeBufferPointer(start: strings + o, count: n), as: UTF8.self)
    }

    /// Entry `k` (k < entryCount), without its strings.
    @inline(__always)
    func entryFlags(_ k: Int) -> (label: Int, capital: Bool) {
        let r = entryView[k]
        return (r.label, r.capital)
    }

    func entry(_ k: Int) -> Entry {
        let r = entryView[k]
        return Entry(alias: string(r.aliasOffset, r.aliasLength), kbId: string(r.kbOffset, r.kbLength),
                     label: r.label, capital: r.capital)
    }

    // MARK: Matching

    /// A trie step through the thread's cache, if any.
    @inline(__always)
    func cachedChild(_ parent: UInt32, _ key: UInt64, _ cache: UnsafeMutablePointer<GazetteerScratch.Slot>?) -> UInt32 {
        if parent == 0 {
            guard passesFilter(key) else { return 0 }
            guard let cache else { return child(0, key) }
            return rootChild(key, cache)
        }
        // Below the root: the edge filter first (blocked by parent, so the bits of frequent
        // parents stay in the processor's cache; it answers most misses), then the thread's
        // cache of recent steps, then the table.
        let bit = GLZ.edgeFilterBit(parent: parent, key: key, log2: edgeLog2)
        guard edgeFilter[bit >> 3] & (1 << UInt8(bit & 7)) != 0 else { return 0 }
        let i = Int(truncatingIfNeeded: (key ^ (UInt64(parent) &* 0x9E3779B97F4A7C15)) &>> UInt64(64 - GazetteerScratch.log2))
        if let cache {
            let slot = cache[i]
            if slot.key == key && slot.parent == parent { return slot.child }
        }
        let c = probe(parent, key, GLZ.edgeHash(parent: parent, key: key))
        cache?[i] = GazetteerScratch.Slot(key: key, parent: parent, child: c)
        return c
    }

    /// A first step, for a key that passed the first-token filter.
    @inline(__always)
    func rootChild(_ key: UInt64, _ cache: UnsafeMutablePointer<GazetteerScratch.Slot>?) -> UInt32 {
        guard let cache else { return child(0, key) }
        let i = Int(truncatingIfNeeded: key &>> UInt64(64 - GazetteerScratch.log2))
        let slot = cache[i]
        if slot.key == key && slot.parent == 0 { return slot.child }
        let c = child(0, key)
        cache[i] = GazetteerScratch.Slot(key: key, parent: 0, child: c)
        return c
    }

    /// Appends the matches in `tokens` to `spans`; returns the trie steps taken (the work
    /// counter: at most `walkDepth` per token with the walk, a constant per token amortized with
    /// the automaton).
    @discardableResult
    func findMatches(text: [UInt8], tokens: [Token], allowed: [Bool]?, cache: UnsafeMutablePointer<GazetteerScratch.Slot>?,
                     names: UnsafeMutablePointer<GazetteerScratch.Names>?,
                     spansCache: UnsafeMutablePointer<GazetteerScratch.NodeSpans>?, into spans: inout [Span],
                     automaton forced: GazetteerAutomaton? = nil) -> Int {
        let n = tokens.count
        guard n > 0, !text.isEmpty else { return 0 }
        var steps = 0
        var usedAutomaton = false
        let firstNew = spans.count
        text.withUnsafeBufferPointer { textBuffer in
            tokens.withUnsafeBufferPointer { toks in
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { keys in
                    withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * n) { index in
                        withUnsafeTemporaryAllocation(of: Int32.self, capacity: n + 1) { caps in
                            let base = textBuffer.baseAddress!
                            let length = textBuffer.count
                            // Pass 1: key every non-space token; list those that can start a
                            // name (the first-token filter), without a branch on the answer.
                            let candidates = index.baseAddress! + n
                            var m = 0
                            var c = 0
                            caps[0] = 0
                            for t in 0..<n {
                                let token = toks[t]
                                if token.kind == .space { continue }
                                guard token.start >= 0, token.start < token.end, token.end <= length else { continue }
                                let (key, capital) = TokenKey.key(base + token.start, token.end - token.start,
                                                                  readable: length - token.start, options: foldOptions)
                                keys[m] = key
                                caps[m + 1] = caps[m] &+ (capital ? 1 : 0)
                                index[m] = Int32(truncatingIfNeeded: t)
                                candidates[c] = Int32(truncatingIfNeeded: m)
                                c &+= passesFilter(key) ? 1 : 0
                                m += 1
                            }
                            // Pass 2: walk the trie from each candidate; with names longer
                            // than `GazetteerAutomaton.walkDepth` tokens, the automaton instead.
                            if let automaton = forced ?? automaton() {
                                usedAutomaton = true
                                steps += automaton.run(keys: keys, count: m, image: self, cache: cache) { s, e, node in
                                    emit(from: s, to: e, nodeID: node, text: base, keys: keys, index: index, caps: caps,
                                         tokens: toks, allowed: allowed, names: names, spansCache: spansCache, into: &spans)
                                }
                                return
                            }
                            var walked = 0
                            for k in 0..<c {
                                let s = Int(candidates[k])
                                var current = rootChild(keys[s], cache)
                                var e = s
                                while current != 0 {
                                    if current & GLZ.hasEntriesBit != 0 {
                                        emit(from: s, to: e, nodeID: current & GLZ.nodeMask, text: base, keys: keys, index: index, caps: caps,
                                             tokens: toks, allowed: allowed, names: names, spansCache: spansCache, into: &spans)
                                    }
                                    guard current & GLZ.hasChildrenBit != 0 else { break }
                                    e += 1
                                    if e >= m { break }
                                    walked &+= 1
                                    current = cachedChild(current & GLZ.nodeMask, keys[e], cache)
                                }
                            }
                            steps += c + walked
                        }
                    }
                }
            }
        }
        if usedAutomaton, spans.count - firstNew > 1 {
            // The automaton finds matches by end; the walk's order is by start, then length.
            let sorted = spans[firstNew...].enumerated().sorted {
                ($0.element.firstToken, $0.element.endToken, $0.offset) < ($1.element.firstToken, $1.element.endToken, $1.offset)
            }
            spans.replaceSubrange(firstNew..., with: sorted.map(\.element))
        }
        return steps
    }

    /// Spans for a match of non-space tokens s...e ending at a node with entries.
    private func emit(from s: Int, to e: Int, nodeID: UInt32, text: UnsafePointer<UInt8>,
                      keys: UnsafeMutableBufferPointer<UInt64>, index: UnsafeMutableBufferPointer<Int32>,
                      caps: UnsafeMutableBufferPointer<Int32>, tokens: UnsafeBufferPointer<Token>,
                      allowed: [Bool]?, names: UnsafeMutablePointer<GazetteerScratch.Names>?,
                      spansCache: UnsafeMutablePointer<GazetteerScratch.NodeSpans>?, into spans: inout [Span]) {
        // caps[k] counts the capitalised tokens before token k.
        let lowercaseOccurrence = !smart || caps[e + 1] == caps[s]
        let firstToken = Int(index[s]), lastToken = Int(index[e])
        let start = tokens[firstToken].start, end = tokens[lastToken].end
        let shortCapitals = smart && s == e && Self.isShortCapitals(text + start, end - start)
        // A node matched recently: copy its ready spans.
        let cacheSlot = Int(truncatingIfNeeded: (UInt64(nodeID) &* 0x9E3779B97F4A7C15) &>> 54) & (GazetteerScratch.spansCount - 1)
        if let spansCache, spansCache[cacheSlot].node == nodeID, spansCache[cacheSlot].lowercase == lowercaseOccurrence,
           spansCache[cacheSlot].shortCapitals == shortCapitals {
            for template in spansCache[cacheSlot].spans {
                var span = template
                span.start = start
                span.end = end
                span.matchStart = start
                span.matchEnd = end
                span.firstToken = firstToken
                span.endToken = lastToken + 1
                spans.append(span)
            }
            return
        }
        let node = node(nodeID)
        guard node.first <= entryCount, node.count <= entryCount - node.first else { return }
        let firstSpanOfMatch = spans.count
        defer {
            if let spansCache, nodeID != 0 {
                spansCache[cacheSlot] = GazetteerScratch.NodeSpans(node: nodeID, lowercase: lowercaseOccurrence,
                                                                   shortCapitals: shortCapitals, spans: Array(spans[firstSpanOfMatch...]))
            }
        }
        // One span per label, in source order: the first entry of a label gives the alias, every
        // entry adds its id to kbIds. Spans of this match are spans[firstSpan...].
        let firstSpan = spans.count
        var spanLabels: (Int, Int, Int, Int) = (-1, -1, -1, -1)  // label of each span, for the first four
        for k in node.first..<node.first + node.count {
            let flags = entryFlags(k)
            guard flags.label < labelCount else { continue }
            if let allowed, !allowed[flags.label] { continue }
            if smart && flags.capital && lowercaseOccurrence { continue }
            let record = entryView[k]
            if shortCapitals && !aliasHasNoLowercase(record.aliasOffset, record.aliasLength) { continue }
            var existing = -1
            let made = spans.count - firstSpan
            for j in 0..<made {
                let l: Int
                switch j {
                case 0: l = spanLabels.0
                case 1: l = spanLabels.1
                case 2: l = spanLabels.2
                case 3: l = spanLabels.3
                default: l = spans[firstSpan + j].label == labels[flags.label] ? flags.label : -1
                }
                if l == flags.label { existing = firstSpan + j; break }
            }
            let kbLength = record.kbLength
            if existing >= 0 {
                guard kbLength > 0 else { continue }
                let id = string(record.kbOffset, kbLength)
                if spans[existing].kbId.isEmpty {
                    spans[existing].kbId = id
                } else if spans[existing].kbIds.isEmpty {
                    if spans[existing].kbId != id { spans[existing].kbIds = [spans[existing].kbId, id] }
                } else if !spans[existing].kbIds.contains(id) {
                    spans[existing].kbIds.append(id)
                }
                continue
            }
            let alias: String, id: String
            if let names, names[k & (GazetteerScratch.namesCount - 1)].entry == k {
                let cached = names[k & (GazetteerScratch.namesCount - 1)]
                alias = cached.alias
                id = cached.kbId
            } else {
                alias = string(record.aliasOffset, record.aliasLength)
                id = kbLength > 0 ? string(record.kbOffset, kbLength) : ""
                names?[k & (GazetteerScratch.namesCount - 1)] = GazetteerScratch.Names(entry: k, alias: alias, kbId: id)
            }
            var span = Span(matchStart: start, matchEnd: end, label: labels[flags.label], kbId: id, source: .gazetteer, name: alias)
            span.firstToken = firstToken
            span.endToken = lastToken + 1
            switch made {
            case 0: spanLabels.0 = flags.label
            case 1: spanLabels.1 = flags.label
            case 2: spanLabels.2 = flags.label
            case 3: spanLabels.3 = flags.label
            default: break
            }
            spans.append(span)
        }
    }

    /// Under smart case, a word of two or three capitals alone ("GAO", "EDO") is read as an
    /// acronym: it matches names written in capitals ("USA", "NSW"), not names that only begin
    /// with one ("Gao", "Edo"). A longer word in capitals ("PERTH" in a headline) matches as before.
    @inline(__always)
    static func isShortCapitals(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard n == 2 || n == 3 else { return false }
        for k in 0..<n where p[k] &- 0x41 >= 26 { return false }
        return true
    }

    /// Whether an alias in the string pool holds no ASCII lowercase letter.
    func aliasHasNoLowercase(_ offset: UInt32, _ length: UInt32) -> Bool {
        let o = Int(offset), n = Int(length)
        guard o <= stringPoolSize, n <= stringPoolSize - o else { return false }
        for k in o..<(o + n) where strings[k] &- 0x61 < 26 { return false }
        return true
    }

    /// Every entry of the name spelled by all the non-space tokens (for lookup), smart case and
    /// label filter applied as for a match.
    func hits(text: [UInt8], tokens: [Token], allowed: [Bool]?) -> [GazetteerHit] {
        var current: UInt32 = 0
        var capital = false
        var any = false
        let words = tokens.filter { $0.kind != .space && $0.start < $0.end && $0.end <= text.count }
        let shortCapitals = smart && words.count == 1
            && text.withUnsafeBufferPointer { Self.isShortCapitals($0.baseAddress! + words[0].start, words[0].end - words[0].start) }
        for token in words {
            let (key, c) = text.withUnsafeBufferPointer {
                TokenKey.key($0.baseAddress! + token.start, token.end - token.start, readable: token.end - token.start, options: foldOptions)
            }
            capital = capital || c
            current = child(current & GLZ.nodeMask, key)
            any = true
            if current == 0 { return [] }
        }
        guard any else { return [] }
        let info = node(current & GLZ.nodeMask)
        guard info.first <= entryCount, info.count <= entryCount - info.first else { return [] }
        var result: [GazetteerHit] = []
        for k in info.first..<info.first + info.count {
            let e = entry(k)
            guard e.label < labelCount else { continue }
            if let allowed, !allowed[e.label] { continue }
            if smart && e.capital && !capital { continue }
            if shortCapitals && !aliasHasNoLowercase(entryView[k].aliasOffset, entryView[k].aliasLength) { continue }
            result.append(GazetteerHit(alias: e.alias, label: labels[e.label], kbId: e.kbId))
        }
        return result
    }

    var info: GazetteerInfo {
        var counts = [Int](repeating: 0, count: labelCount)
        for k in 0..<entryCount {
            let l = entryFlags(k).label
            if l < labelCount { counts[l] += 1 }
        }
        return GazetteerInfo(version: GLZ.version, folding: folding, entries: entryCount, names: names, nodes: nodeCount,
                             slots: slotCount, bytes: size, checksum: checksum,
                             entriesPerLabel: labels.indices.map { (labels[$0], counts[$0]) })
    }
}

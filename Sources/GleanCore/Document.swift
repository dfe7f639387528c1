/// The kind of a token, from ICU's rule status and the token's characters.
///
/// `word` (letters), `number`, `punct` (general category P*), `space` (a whitespace token, see
/// ``Whitespace``), `ideographic` (Han), `kana` (Hiragana, Katakana), `symbol` (anything else:
/// emoji, currency and math signs).
public enum TokenKind: UInt8, Sendable, CaseIterable {
    case word, number, punct, space, ideographic, kana, symbol

    /// The name written in the output record.
    public var name: String {
        switch self {
        case .word: "word"
        case .number: "number"
        case .punct: "punct"
        case .space: "space"
        case .ideographic: "ideographic"
        case .kana: "kana"
        case .symbol: "symbol"
        }
    }
}

/// A token: a half-open range of UTF-8 byte offsets into ``Document/text``.
///
/// Tokens are sorted, never overlap, and with the whitespace they leave out (at most one U+0020
/// after a token) rebuild the text exactly. "Sydney's west" gives `Sydney` [0,6), `'s` [6,8),
/// `west` [9,13).
///
/// A token is stored in 8 bytes (a document holds one per word, so this is most of its
/// memory): `start` in the low 30 bits, `end` in the next 31, the kind in the top 3. Offsets
/// therefore lie in a text of at most ``Document/maximumTextBytes`` (1 GiB), which the
/// annotator checks before it segments; building a token outside that range is a
/// precondition failure, never a silently wrong offset.
///
/// ```swift
/// let t = Token(start: 6, end: 8, kind: .word)
/// t.end - t.start   // 2
/// MemoryLayout<Token>.stride   // 8
/// ```
public struct Token: Sendable, Equatable {
    /// `start | end << 30 | kind << 61`.
    @usableFromInline var bits: UInt64

    @usableFromInline static let startMask: UInt64 = (1 << 30) - 1
    @usableFromInline static let endMask: UInt64 = (1 << 31) - 1

    @inlinable @inline(__always)
    public init(start: Int, end: Int, kind: TokenKind) {
        precondition(UInt(bitPattern: start) < 1 << 30 && UInt(bitPattern: end) < 1 << 31,
                     "token offsets outside a text of Document.maximumTextBytes")
        bits = UInt64(start) | UInt64(end) << 30 | UInt64(kind.rawValue) << 61
    }

    /// A token whose offsets the caller guarantees to lie in a text of at most
    /// ``Document/maximumTextBytes`` (`0 <= start < end <= maximumTextBytes`), checked in debug
    /// builds only: for a tokenizer's inner loop, which checks its text's length once instead of
    /// each token's offsets.
    @inlinable @inline(__always)
    public init(uncheckedStart start: Int, end: Int, kind: TokenKind) {
        assert(0 <= start && start < end && end <= Document.maximumTextBytes,
               "token offsets outside a text of Document.maximumTextBytes")
        bits = UInt64(truncatingIfNeeded: start) | UInt64(truncatingIfNeeded: end) << 30 | UInt64(kind.rawValue) << 61
    }

    /// Offset of the first byte.
    @inlinable public var start: Int {
        @inline(__always) get { Int(truncatingIfNeeded: bits & Self.startMask) }
        set {
            precondition(UInt(bitPattern: newValue) < 1 << 30, "token offsets outside a text of Document.maximumTextBytes")
            bits = bits & ~Self.startMask | UInt64(newValue)
        }
    }

    /// Offset just past the last byte.
    @inlinable public var end: Int {
        @inline(__always) get { Int(truncatingIfNeeded: (bits >> 30) & Self.endMask) }
        set {
            precondition(UInt(bitPattern: newValue) < 1 << 31, "token offsets outside a text of Document.maximumTextBytes")
            bits = bits & ~(Self.endMask << 30) | UInt64(newValue) << 30
        }
    }

    @inlinable public var kind: TokenKind {
        // The top bits always hold a raw value that init or the setter stored.
        @inline(__always) get { unsafeBitCast(UInt8(truncatingIfNeeded: bits >> 61), to: TokenKind.self) }
        set { bits = bits & ((1 << 61) - 1) | UInt64(newValue.rawValue) << 61 }
    }
}

/// A sentence: UTF-8 byte offsets from its first token's start to its last token's end, with
/// the index range of those tokens.
///
/// Stored as four 32-bit numbers (16 bytes); offsets and token indices lie in a text of at most
/// ``Document/maximumTextBytes``.
public struct Sentence: Sendable, Equatable {
    @usableFromInline var storedStart: UInt32
    @usableFromInline var storedEnd: UInt32
    @usableFromInline var storedFirstToken: UInt32
    @usableFromInline var storedEndToken: UInt32

    @inlinable
    public init(start: Int, end: Int, firstToken: Int, endToken: Int) {
        storedStart = UInt32(start)
        storedEnd = UInt32(end)
        storedFirstToken = UInt32(firstToken)
        storedEndToken = UInt32(endToken)
    }

    @inlinable public var start: Int {
        get { Int(storedStart) }
        set { storedStart = UInt32(newValue) }
    }
    @inlinable public var end: Int {
        get { Int(storedEnd) }
        set { storedEnd = UInt32(newValue) }
    }
    @inlinable public var firstToken: Int {
        get { Int(storedFirstToken) }
        set { storedFirstToken = UInt32(newValue) }
    }
    @inlinable public var endToken: Int {
        get { Int(storedEndToken) }
        set { storedEndToken = UInt32(newValue) }
    }
}

/// Which stage proposed a span, written as the entity's `source`.
///
/// `pattern` (a regex of a pattern pack), `gazetteer` (a dictionary name), `names` (the
/// person-name model), `propagation` (a later mention of a name found earlier in the document).
public enum SpanSource: UInt8, Sendable, CaseIterable {
    case pattern, gazetteer, names, propagation

    public var name: String {
        switch self {
        case .pattern: "pattern"
        case .gazetteer: "gazetteer"
        case .names: "names"
        case .propagation: "propagation"
        }
    }

    /// The key under which a span's ``Span/name`` is written: `alias` for a gazetteer name that
    /// matched, `name` (the rule or pattern) otherwise.
    public var nameKey: String { self == .gazetteer ? "alias" : "name" }
}

/// A named list of candidate spans, as spaCy's `doc.spans[name]`: every candidate of one
/// stage, winners included, in the order the stage found them.
///
/// ```swift
/// var doc = Document("Mr Smith")
/// doc[group: "names"].append(span)   // adds the group if it is new
/// ```
public struct SpanGroup: Sendable, Equatable {
    public var name: String
    public var spans: [Span]
    public init(name: String, spans: [Span] = []) {
        self.name = name
        self.spans = spans
    }
}

/// A candidate entity from a stage, in UTF-8 byte offsets into ``Document/text``.
///
/// `matchStart`/`matchEnd` are where the stage's raw match lies; `start`/`end` are the same match
/// widened to the tokens that hold it (spaCy's `alignment_mode="expand"`), and
/// `firstToken`/`endToken` index those tokens. A regex match "5 mil" over the tokens `5` `million`
/// has match [0,5) and span [0,9).
///
/// The six offsets are stored as 32-bit numbers (a text has at most
/// ``Document/maximumTextBytes``), read and written as `Int`.
public struct Span: Sendable, Equatable {
    @usableFromInline var storedStart: UInt32
    @usableFromInline var storedEnd: UInt32
    @usableFromInline var storedMatchStart: UInt32
    @usableFromInline var storedMatchEnd: UInt32
    @usableFromInline var storedFirstToken: UInt32 = 0
    @usableFromInline var storedEndToken: UInt32 = 0

    @inlinable public var start: Int {
        get { Int(storedStart) }
        set { storedStart = UInt32(newValue) }
    }
    @inlinable public var end: Int {
        get { Int(storedEnd) }
        set { storedEnd = UInt32(newValue) }
    }
    @inlinable public var matchStart: Int {
        get { Int(storedMatchStart) }
        set { storedMatchStart = UInt32(newValue) }
    }
    @inlinable public var matchEnd: Int {
        get { Int(storedMatchEnd) }
        set { storedMatchEnd = UInt32(newValue) }
    }
    @inlinable public var firstToken: Int {
        get { Int(storedFirstToken) }
        set { storedFirstToken = UInt32(newValue) }
    }
    @inlinable public var endToken: Int {
        get { Int(storedEndToken) }
        set { storedEndToken = UInt32(newValue) }
    }
    /// Which stage proposed it (kept beside the offsets, where it costs no padding).
    public var source: SpanSource
    /// The priority, stored in 32 bits beside `source` (a span is 88 bytes rather than 96).
    @usableFromInline var storedPriority: Int32
    public var label: String
    /// The first knowledge-base id by priority, `""` if none.
    public var kbId: String
    /// The pattern's name (patterns) or the name that matched (gazetteers, written as `alias`).
    public var name: String
    /// Third key of the resolution order: higher wins a tie. Stored in 32 bits: a value
    /// outside them is clamped.
    @inlinable public var priority: Int {
        get { Int(storedPriority) }
        set { storedPriority = Int32(clamping: newValue) }
    }
    /// The fields most spans leave empty, boxed (nil when all are empty) so that a span is 88
    /// bytes rather than 128. The box is never changed once made: a setter makes a new one.
    @usableFromInline var extras: SpanExtras?

    /// Whether any of ``kbIds``, ``groups`` and ``value`` is set: false for most spans, whose
    /// writers can then skip those fields without reading them.
    @inlinable public var hasExtras: Bool { extras != nil }

    /// All ids when a name carries several (empty otherwise). The getters of the boxed fields
    /// are inlinable, so that a reader of a span in place (the printers) reads the box without
    /// a copy of the span.
    @inlinable public var kbIds: [String] {
        get { extras?.kbIds ?? [] }
        set { extras = SpanExtras.make(kbIds: newValue, groups: groups, value: value) }
    }
    /// Named capture groups, in the pattern's order.
    @inlinable public var groups: [NamedGroup] {
        get { extras?.groups ?? [] }
        set { extras = SpanExtras.make(kbIds: kbIds, groups: newValue, value: value) }
    }
    /// A normalised form (ISO 8601 for a fully specified date or time), if any.
    @inlinable public var value: String? {
        get { extras?.value }
        set { extras = SpanExtras.make(kbIds: kbIds, groups: groups, value: newValue) }
    }

    /// Inlinable, so that a stage in another module builds the span in place (a call would
    /// return it through a copy that retains and releases its strings).
    @inlinable
    public init(matchStart: Int, matchEnd: Int, label: String, kbId: String = "", kbIds: [String] = [],
                source: SpanSource, name: String, groups: [NamedGroup] = [], value: String? = nil,
                priority: Int = 0) {
        storedStart = UInt32(matchStart)
        storedEnd = UInt32(matchEnd)
        storedMatchStart = UInt32(matchStart)
        storedMatchEnd = UInt32(matchEnd)
        self.source = source
        self.label = label
        self.kbId = kbId
        self.name = name
        storedPriority = Int32(clamping: priority)
        extras = SpanExtras.make(kbIds: kbIds, groups: groups, value: value)
    }

    /// Length in tokens, the first key of the resolution order.
    @inlinable public var tokenLength: Int { endToken - firstToken }
}

/// The rarely set fields of a ``Span``, in one immutable box.
@usableFromInline
final class SpanExtras: Sendable, Equatable {
    @usableFromInline let kbIds: [String]
    @usableFromInline let groups: [NamedGroup]
    @usableFromInline let value: String?

    private init(kbIds: [String], groups: [NamedGroup], value: String?) {
        self.kbIds = kbIds
        self.groups = groups
        self.value = value
    }

    /// A box for the fields, nil when all are empty.
    @usableFromInline
    static func make(kbIds: [String], groups: [NamedGroup], value: String?) -> SpanExtras? {
        kbIds.isEmpty && groups.isEmpty && value == nil ? nil : SpanExtras(kbIds: kbIds, groups: groups, value: value)
    }

    @usableFromInline
    static func == (a: SpanExtras, b: SpanExtras) -> Bool {
        a === b || (a.kbIds == b.kbIds && a.groups == b.groups && a.value == b.value)
    }
}

/// A named capture group of a pattern match, as written under `groups`.
public struct NamedGroup: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A note on a record that was annotated anyway: `{"stage", "name"?, "reason"}`.
public struct Warning: Sendable, Equatable {
    public var stage: String
    public var name: String?
    public var reason: String
    public init(stage: String, name: String? = nil, reason: String) {
        self.stage = stage
        self.name = name
        self.reason = reason
    }
}

/// One document as it flows through the stages: each stage reads it and adds its own layer.
///
/// `text` is valid UTF-8 (repaired before any stage runs); every offset is a UTF-8 byte offset
/// into it. Output offsets are converted once, when the record is rendered (``OffsetMapper``).
public struct Document: Sendable {
    /// The longest text a document may hold: 1 GiB, the default `--max-record-bytes`. Offsets
    /// are stored in 30 to 32 bits (``Token``, ``Sentence``, ``Span``); the annotator refuses a
    /// longer text with an error rather than segmenting it.
    public static let maximumTextBytes = 1 << 30

    public var text: [UInt8]
    public var lang: String
    public var tokens: [Token] = []
    public var sentences: [Sentence] = []
    /// The span groups (`spans` in the record), in the order stages added them. `patterns` and
    /// `gazetteer` are always the first two; later stages add their own by name.
    public var spanGroups: [SpanGroup] = [SpanGroup(name: "patterns"), SpanGroup(name: "gazetteer")]
    /// The non-overlapping winners, sorted by start (`ents`).
    public var entities: [Span] = []
    public var warnings: [Warning] = []

    public init(text: [UInt8], lang: String = "en") {
        self.text = text
        self.lang = lang
    }

    public init(_ text: String, lang: String = "en") {
        self.init(text: Array(text.utf8), lang: lang)
    }

    /// Every candidate of the pattern stage (the `spans.patterns` group).
    public var patternSpans: [Span] {
        get { spanGroups[0].spans }
        _modify { yield &spanGroups[0].spans }
        set { spanGroups[0].spans = newValue }
    }

    /// Every candidate of the gazetteer stage (the `spans.gazetteer` group).
    public var gazetteerSpans: [Span] {
        get { spanGroups[1].spans }
        _modify { yield &spanGroups[1].spans }
        set { spanGroups[1].spans = newValue }
    }

    /// The span group of that name; setting a new name appends a group.
    public subscript(group name: String) -> [Span] {
        get { spanGroups.first { $0.name == name }?.spans ?? [] }
        set {
            if let i = spanGroups.firstIndex(where: { $0.name == name }) {
                spanGroups[i].spans = newValue
            } else {
                spanGroups.append(SpanGroup(name: name, spans: newValue))
            }
        }
    }

    /// Every candidate of every group, in group order (what resolution chooses from).
    public var allCandidates: [Span] {
        // One allocation of the final size (a flat map grows its array group by group).
        var all: [Span] = []
        all.reserveCapacity(spanGroups.reduce(0) { $0 + $1.spans.count })
        for g in spanGroups.indices { all += spanGroups[g].spans }
        return all
    }

    /// The text of a byte range, for tests and tools.
    public func string(_ start: Int, _ end: Int) -> String {
        String(decoding: text[start..<end], as: UTF8.self)
    }
}

import CICUShim
import GleanCore

/// An error from ICU while setting up or running a segmenter.
public struct SegmenterError: Error, CustomStringConvertible {
    public var description: String
}

/// Word and sentence segmentation with the system ICU, producing Glean's tokens and sentences.
///
/// Tokens are ICU word-break segments (UAX #29 plus ICU's dictionaries for Chinese, Japanese,
/// Thai, Khmer, Lao, Burmese), run on the UTF-8 text without a UTF-16 copy, then shaped as spaCy
/// expects:
/// - whitespace: a single U+0020 right after a token is that token's trailing space; every other
///   run of ``Whitespace`` (newline, tab, NBSP, a second space ...) is ONE `space` token;
/// - clitics: the language's ``CliticRules`` split endings off words ("don't" -> `do` `n't`);
/// - sentences: ICU's sentence break with the locale's abbreviation suppressions
///   (`en@ss=standard`), each running from its first token's start to its last token's end.
///
/// ```swift
/// let segmenter = try Segmenter()
/// var doc = Document("Sydney's west.  Hi\nthere")
/// try segmenter.segment(&doc)
/// // tokens: Sydney | 's | west | . | " " | Hi | "\n" | there
/// ```
///
/// A `Segmenter` is not thread-safe (ICU break iterators are not): give each thread its own, made
/// by ``SegmenterPrototypes/makeSegmenter()``, which clones cheaply.
public final class Segmenter {
    private let prototypes: SegmenterPrototypes
    private var breakers: [String: (word: Breaker, sentence: Breaker)] = [:]
    private var boundaries = [Int32](repeating: 0, count: 4096)
    private var statuses = [Int32](repeating: 0, count: 4096)
    private let tokenStorage = TokenStorage()
    // A segmenter is one thread's (see above): the settings and per-document state below are
    // `@exclusivity(unchecked)`, without the run-time check that each access costs otherwise.
    /// Word fast paths: pure-ASCII documents use ``ASCIIWordBreak``, other alphabetic ones
    /// (Latin, Greek, Cyrillic ...) ``AlphabeticWordBreak`` (ICU's rules, checked against ICU by
    /// tests); off, every document goes through ICU's word iterator.
    @exclusivity(unchecked) public var fastASCII = true
    /// Sentence fast path: ICU's sentence rules run only around candidate terminators
    /// (``SentenceCandidates``, the same boundaries); off, ICU walks every character.
    @exclusivity(unchecked) public var fastSentences = true
    /// ICU's word iterator reads a UTF-16 copy of a text of up to ``utf16TextLimit`` bytes
    /// (the same boundaries, checked by tests); off, it reads the UTF-8 through UText.
    @exclusivity(unchecked) public var icuReadsUTF16 = true
    /// The largest text ICU reads as UTF-16: its copy takes 6 bytes a character and is kept for
    /// the next document.
    public static let utf16TextLimit = 4 << 20

    public convenience init() throws {
        self.init(prototypes: SegmenterPrototypes())
    }

    init(prototypes: SegmenterPrototypes) {
        self.prototypes = prototypes
    }

    private var lastLanguage: (given: String, normalized: String) = ("en", "en")
    private var suppressions: [String: SentenceSuppressions] = [:]

    /// ICU's suppressions of the language's sentence iterator, read once per language.
    private var lastSuppressions: (lang: String, suppressions: SentenceSuppressions)?

    private func suppressions(for lang: String) -> SentenceSuppressions {
        if let last = lastSuppressions, last.lang == lang { return last.suppressions }
        let s = suppressions[lang] ?? SentenceSuppressions(locale: lang)
        suppressions[lang] = s
        lastSuppressions = (lang, s)
        return s
    }

    /// ``SegmenterPrototypes/normalizedLanguage(_:)``, remembering the last answer (documents of
    /// a corpus mostly share one language).
    private func normalizedLanguage(_ lang: String) -> String {
        if lang == lastLanguage.given { return lastLanguage.normalized }
        lastLanguage = (lang, SegmenterPrototypes.normalizedLanguage(lang))
        return lastLanguage.normalized
    }

    /// The last language's breakers (documents of a corpus mostly share one language).
    private var lastBreakers: (lang: String, word: Breaker, sentence: Breaker)?

    private func breakers(for lang: String) throws -> (word: Breaker, sentence: Breaker) {
        if let last = lastBreakers, last.lang == lang { return (last.word, last.sentence) }
        let b = try dictionaryBreakers(for: lang)
        lastBreakers = (lang, b.word, b.sentence)
        return b
    }

    private func dictionaryBreakers(for lang: String) throws -> (word: Breaker, sentence: Breaker) {
        if let b = breakers[lang] { return b }
        let b = try prototypes.clones(for: lang)
        breakers[lang] = b
        return b
    }

    /// The last document's language (as the document gives it) and what segmenting it needs:
    /// documents of a corpus mostly share one language, so a document of the same language costs
    /// one string comparison instead of a look-up per rule set.
    @exclusivity(unchecked) private var lastSetup: LanguageSetup?

    private func setup(for given: String) throws -> LanguageSetup {
        if let last = lastSetup, last.given == given { return last }
        let lang = normalizedLanguage(given)
        let (word, sentence) = try breakers(for: lang)
        let setup = LanguageSetup(given: given, word: word, sentence: sentence, clitics: CliticRules.forLanguage(lang),
                                  rules: SentenceRules.forLanguage(lang), suppressions: suppressions(for: lang),
                                  fastSentences: SentenceCandidates.applies(to: lang))
        lastSetup = setup
        return setup
    }

    /// The sentences being assembled, kept between documents (the result is an exact-size copy).
    @exclusivity(unchecked) private var sentenceScratch: [Sentence] = []

    /// Fills `document.tokens` and `document.sentences`.
    public func segment(_ document: inout Document, sentences wantSentences: Bool = true) throws {
        guard document.text.count < Int(Int32.max) else {
            throw SegmenterError(description: "text of \(document.text.count) bytes is over ICU's 2 GiB limit")
        }
        let setup = try setup(for: document.lang)
        let word = setup.word
        let clitics = setup.clitics
        var tokens = tokenStorage.sink(expected: document.text.count / 4 + 4)
        defer { tokenStorage.keep(tokens) }
        let isASCII = fastASCII && document.text.withUnsafeBufferPointer { UTF8Validation.isASCII($0) }
        try document.text.withUnsafeBufferPointer { text in
            if isASCII {
                ASCIIWordBreak.tokens(text, clitics: clitics, into: &tokens)
                return
            }
            var builder = TokenBuilder(text: text, clitics: clitics)
            var previous = 0
            if fastASCII {
                let done = AlphabeticWordBreak.segments(text) { end, status in
                    builder.addUniformSegment(previous, end, status: status, into: &tokens)
                    previous = end
                }
                if done {
                    builder.finish(into: &tokens)
                    return
                }
                // A character the fast path does not implement: ICU runs on the whole text.
                tokens.removeAll()
                builder = TokenBuilder(text: text, clitics: clitics)
                previous = 0
            }
            // ICU reads UTF-16 faster than UTF-8 through UText; the copy costs 6 bytes a
            // character, so a large text is read as UTF-8.
            try word.setText(text, utf16: icuReadsUTF16 && text.count <= Self.utf16TextLimit)
            while true {
                let n = glean_breaker_next(word.handle, &boundaries, &statuses, Int32(boundaries.count))
                if n == 0 { break }
                for k in 0..<Int(n) {
                    let end = Int(boundaries[k])
                    builder.addSegment(previous, end, status: statuses[k], into: &tokens)
                    previous = end
                }
            }
            builder.finish(into: &tokens)
        }
        document.tokens = tokens.tokens
        if wantSentences { try addSentences(&document, setup: setup) }
    }

    /// Fills `document.sentences` from its tokens (``segment(_:sentences:)`` calls it).
    public func addSentences(_ document: inout Document) throws {
        try addSentences(&document, setup: setup(for: document.lang))
    }

    private func addSentences(_ document: inout Document, setup: LanguageSetup) throws {
        document.sentences = try sentenceSpans(document.text, tokens: document.tokens, breaker: setup.sentence,
                                               fast: fastSentences && setup.fastSentences,
                                               suppressions: setup.suppressions, rules: setup.rules)
    }

    /// ICU's raw word boundaries (UTF-8 byte offsets, 0 and the end included): the layer that the
    /// Unicode conformance tests and the differential tests check.
    public func wordBoundaries(_ text: [UInt8], lang: String = "en") throws -> [Int] {
        try boundaries(text, breaker: breakers(for: SegmenterPrototypes.normalizedLanguage(lang)).word)
    }

    /// Word segments as (end, rule status), from ICU or, with `fastPath`, from ``ASCIIWordBreak``
    /// (ASCII text only): the layer the fast path's differential test compares.
    public func wordSegments(_ text: [UInt8], lang: String = "en", fastPath: Bool) throws -> [(end: Int, status: Int32)] {
        var result: [(end: Int, status: Int32)] = []
        if fastPath {
            text.withUnsafeBufferPointer { b in ASCIIWordBreak.segments(b) { end, status, _ in result.append((end, status)) } }
            return result
        }
        return try icuWordSegments(text, lang: lang)
    }

    /// Word segments from ``AlphabeticWordBreak``, or nil where it gives the text to ICU.
    func alphabeticWordSegments(_ text: [UInt8]) -> [(end: Int, status: Int32)]? {
        var result: [(end: Int, status: Int32)] = []
        let done = text.withUnsafeBufferPointer { b in AlphabeticWordBreak.segments(b) { result.append(($0, $1)) } }
        return done ? result : nil
    }

    /// Sentence boundaries from the fast path (``SentenceCandidates``), 0 and the end included.
    func fastSentenceBoundaries(_ text: [UInt8], lang: String = "en") throws -> [Int] {
        let lang = SegmenterPrototypes.normalizedLanguage(lang)
        guard SentenceCandidates.applies(to: lang) else { return try sentenceBoundaries(Array(text), lang: lang) }
        let breaker = try breakers(for: lang).sentence
        var result = [0]
        try text.withUnsafeBufferPointer { buffer in
            try breaker.setText(buffer)
            SentenceCandidates.boundaries(buffer, breaker: breaker, suppressions: suppressions(for: lang)) { result.append($0) }
        }
        return result
    }

    func icuWordSegments(_ text: [UInt8], lang: String = "en") throws -> [(end: Int, status: Int32)] {
        var result: [(end: Int, status: Int32)] = []
        let breaker = try breakers(for: SegmenterPrototypes.normalizedLanguage(lang)).word
        try text.withUnsafeBufferPointer { buffer in
            try breaker.setText(buffer)
            while true {
                let n = glean_breaker_next(breaker.handle, &boundaries, &statuses, Int32(boundaries.count))
                if n == 0 { break }
                for k in 0..<Int(n) { result.append((Int(boundaries[k]), statuses[k])) }
            }
        }
        return result
    }

    /// ICU's raw sentence boundaries, 0 and the end included.
    public func sentenceBoundaries(_ text: [UInt8], lang: String = "en") throws -> [Int] {
        try boundaries(text, breaker: breakers(for: SegmenterPrototypes.normalizedLanguage(lang)).sentence)
    }

    private func boundaries(_ text: [UInt8], breaker: Breaker) throws -> [Int] {
        var result = [0]
        try text.withUnsafeBufferPointer { buffer in
            try breaker.setText(buffer)
            while true {
                let n = glean_breaker_next(breaker.handle, &boundaries, nil, Int32(boundaries.count))
                if n == 0 { break }
                result.append(contentsOf: boundaries[0..<Int(n)].map(Int.init))
            }
        }
        return result
    }

    private func sentenceSpans(_ text: [UInt8], tokens: [Token], breaker: Breaker, fast: Bool, suppressions: SentenceSuppressions,
                               rules: SentenceRules) throws -> [Sentence] {
        guard !tokens.isEmpty else { return [] }
        return try text.withUnsafeBufferPointer { buffer in try tokens.withUnsafeBufferPointer { tokenBuffer in
            // ICU walks every character only without the fast path: then it reads UTF-16. The
            // fast path sets ICU's text itself, to the windows it hands over.
            if !fast { try breaker.setText(buffer, utf16: icuReadsUTF16 && buffer.count <= Self.utf16TextLimit) }
            var assembler = SentenceAssembler(text: buffer, tokens: tokens, tokenBuffer: tokenBuffer, rules: rules,
                                              sentences: takeSentenceScratch())
            if fast {
                SentenceCandidates.boundaries(buffer, breaker: breaker, suppressions: suppressions) { assembler.boundary($0) }
            } else {
                while true {
                    let n = glean_breaker_next(breaker.handle, &boundaries, nil, Int32(boundaries.count))
                    if n == 0 { break }
                    for k in 0..<Int(n) { assembler.boundary(Int(boundaries[k])) }
                }
            }
            let sentences = assembler.finish()
            // Unique again once the assembler is gone: the next document appends in place.
            if assembler.sentences.capacity <= 1 << 16 { sentenceScratch = assembler.sentences }
            return sentences
        }}
    }

    /// The scratch storage for sentences, emptied, left unshared while a document uses it.
    private func takeSentenceScratch() -> [Sentence] {
        var scratch: [Sentence] = []
        swap(&scratch, &sentenceScratch)
        scratch.removeAll(keepingCapacity: true)
        return scratch
    }
}

/// Turns sentence boundaries (byte offsets, in order) into ``Sentence``s over a document's
/// tokens: each boundary closes the tokens that start before it; a sentence of whitespace only
/// joins the next, and so does one the language's ``SentenceRules`` keep together.
/// Invariant: `tokenBuffer` is `tokens`' storage, alive while the assembler is used.
private struct SentenceAssembler {
    let text: UnsafeBufferPointer<UInt8>
    let tokens: [Token]
    let tokenBuffer: UnsafeBufferPointer<Token>
    let rules: SentenceRules
    /// The sentences so far (storage handed in empty, kept by the caller for the next document).
    var sentences: [Sentence]
    /// The first token not yet in a sentence.
    var t = 0
    /// Whether the last sentence holds a token that is not whitespace.
    var lastHasText = false

    init(text: UnsafeBufferPointer<UInt8>, tokens: [Token], tokenBuffer: UnsafeBufferPointer<Token>, rules: SentenceRules,
         sentences: [Sentence]) {
        self.text = text
        self.tokens = tokens
        self.tokenBuffer = tokenBuffer
        self.rules = rules
        self.sentences = sentences
    }

    /// The first token at or after `from` that starts at or after `end` (`tokenBuffer.count`
    /// when none does): tokens are sorted by start, so a binary search after a short look.
    @inline(__always)
    func firstToken(from: Int, startingAtOrAfter end: Int) -> Int {
        var lo = from, hi = tokenBuffer.count
        while lo < hi {
            let mid = lo &+ (hi &- lo) &>> 1
            if tokenBuffer[mid].start < end { lo = mid &+ 1 } else { hi = mid }
        }
        return lo
    }

    mutating func boundary(_ end: Int) {
        let first = t
        // Whether a token before the boundary is not whitespace: the first almost always is.
        var hasText = false
        var k = first
        while k < tokenBuffer.count, tokenBuffer[k].start < end {
            if tokenBuffer[k].kind != .space { hasText = true; break }
            k += 1
        }
        t = hasText ? firstToken(from: k + 1, startingAtOrAfter: end) : k
        guard t > first else { return }
        if let last = sentences.last,
           !lastHasText || rules.keepsTogether(text, tokens, endingAt: last.endToken, nextFirst: first) {
            // A sentence of whitespace only (text that starts with a blank line) joins the
            // next, and so does one cut after a title ("Dr." before a name).
            sentences[sentences.count - 1] = Sentence(start: last.start, end: tokenBuffer[t - 1].end,
                                                      firstToken: last.firstToken, endToken: t)
            lastHasText = lastHasText || hasText
        } else {
            sentences.append(Sentence(start: tokenBuffer[first].start, end: tokenBuffer[t - 1].end,
                                      firstToken: first, endToken: t))
            lastHasText = hasText
        }
    }

    /// The sentences, as an array of their own (the storage stays with the assembler); tokens
    /// after the last boundary (which cannot exist) join the last one.
    mutating func finish() -> [Sentence] {
        if t < tokenBuffer.count, let last = sentences.last {
            sentences[sentences.count - 1] = Sentence(start: last.start, end: tokenBuffer[tokenBuffer.count - 1].end,
                                                      firstToken: last.firstToken, endToken: tokenBuffer.count)
        }
        return sentences.withUnsafeBufferPointer { Array($0) }
    }
}

/// What segmenting a document of one language needs, found once per language: its breakers
/// (this thread's clones), clitic and sentence rules, ICU's suppressions, and whether the
/// sentence fast path applies.
private final class LanguageSetup {
    /// The language as documents give it (before normalising).
    let given: String
    let word: Breaker
    let sentence: Breaker
    let clitics: CliticRules
    let rules: SentenceRules
    let suppressions: SentenceSuppressions
    let fastSentences: Bool

    init(given: String, word: Breaker, sentence: Breaker, clitics: CliticRules, rules: SentenceRules,
         suppressions: SentenceSuppressions, fastSentences: Bool) {
        self.given = given
        self.word = word
        self.sentence = sentence
        self.clitics = clitics
        self.rules = rules
        self.suppressions = suppressions
        self.fastSentences = fastSentences
    }
}

/// Builds tokens from ICU segments: splits whitespace off, merges whitespace runs across
/// segments, applies the trailing-space rule and the clitic split.
struct TokenBuilder {
    let text: UnsafeBufferPointer<UInt8>
    let clitics: CliticRules
    /// Start of the whitespace run not yet emitted, or -1.
    var whitespaceStart = -1
    let asciiWhitespace = TokenBuilder.asciiWhitespaceTable
    let asciiPunct = TokenBuilder.asciiPunctTable

    init(text: UnsafeBufferPointer<UInt8>, clitics: CliticRules) {
        self.text = text
        self.clitics = clitics
    }

    static let asciiWhitespaceTable: [Bool] = (0..<128).map { Whitespace.contains(UInt32($0)) }
    /// ASCII characters of general category P* (the rest of printable ASCII non-alphanumerics are S*).
    static let asciiPunctTable: [Bool] = (0..<128).map { c in
        Array("!\"#%&'()*,-./:;?@[\\]_{}".utf8).contains(UInt8(c))
    }

    mutating func addSegment(_ start: Int, _ end: Int, status: Int32, into tokens: inout TokenSink) {
        // One ASCII non-space character: the common case, without the scalar loop.
        if end == start + 1, text[start] < 0x80, !asciiWhitespace[Int(text[start])] {
            if whitespaceStart >= 0 { emitWhitespace(whitespaceStart, start, into: &tokens) }
            emitPiece(start, end, status: status, into: &tokens)
            return
        }
        var i = start
        var pieceStart = -1  // start of the current non-whitespace piece
        while i < end {
            let c = text[i]
            let isSpace: Bool
            let length: Int
            if c < 0x80 {
                isSpace = asciiWhitespace[Int(c)]
                length = 1
            } else {
                let (scalar, len) = UTF8Validation.decode(text, i)
                isSpace = Whitespace.contains(scalar)
                length = len
            }
            if isSpace {
                if pieceStart >= 0 { emitPiece(pieceStart, i, status: status, into: &tokens); pieceStart = -1 }
                if whitespaceStart < 0 { whitespaceStart = i }
            } else {
                if whitespaceStart >= 0 { emitWhitespace(whitespaceStart, i, into: &tokens) }
                if pieceStart < 0 { pieceStart = i }
            }
            i += length
        }
        if pieceStart >= 0 { emitPiece(pieceStart, end, status: status, into: &tokens) }
    }

    /// A segment of UTF-8 text from ``AlphabeticWordBreak``: all whitespace or none, as in
    /// ASCII (its space runs are WSegSpace characters, all of them ``Whitespace``; every other
    /// whitespace character stands alone), so its first character tells which.
    @inline(__always)
    mutating func addUniformSegment(_ start: Int, _ end: Int, status: Int32, into tokens: inout TokenSink) {
        // A word or number (status 100..<500) starts with a letter or digit, never whitespace.
        let c = text[start]
        let isSpace = status == 0
            && (c < 0x80 ? asciiWhitespace[Int(c)] : Whitespace.contains(UTF8Validation.decode(text, start).scalar))
        if isSpace {
            if whitespaceStart < 0 { whitespaceStart = start }
        } else {
            if whitespaceStart >= 0 { emitWhitespace(whitespaceStart, start, into: &tokens) }
            emitPiece(start, end, status: status, into: &tokens)
        }
    }

    mutating func finish(into tokens: inout TokenSink) {
        if whitespaceStart >= 0 { emitWhitespace(whitespaceStart, text.count, into: &tokens) }
    }

    @inline(__always)
    mutating func emitWhitespace(_ start: Int, _ end: Int, into tokens: inout TokenSink) {
        whitespaceStart = -1
        var s = start
        if text[s] == 0x20, tokens.lastEnd == s { s += 1 }
        if s < end { tokens.append(Token(start: s, end: end, kind: .space)) }
    }

    @inline(__always)
    func emitPiece(_ start: Int, _ end: Int, status: Int32, mayHoldClitic: Bool = true, into tokens: inout TokenSink) {
        let kind = kindOf(start, status: status)
        if kind == .word, mayHoldClitic, clitics.splitsAny, let split = clitics.splitPoint(text, start, end) {
            tokens.append(Token(start: start, end: split, kind: .word))
            tokens.append(Token(start: split, end: end, kind: .word))
        } else {
            tokens.append(Token(start: start, end: end, kind: kind))
        }
    }

    @inline(__always)
    func kindOf(_ start: Int, status: Int32) -> TokenKind {
        switch status {
        case 100..<200: return .number
        case 200..<300: return .word
        case 300..<400: return .kana
        case 400..<500:
            // ICU reports kana with the ideographic status.
            return glean_char_class(UTF8Validation.decode(text, start).scalar) == Int32(GLEAN_CHAR_KANA) ? .kana : .ideographic
        default: break
        }
        let c = text[start]
        if c < 0x80 {
            if asciiPunct[Int(c)] { return .punct }
            if (c >= 0x30 && c <= 0x39) { return .number }
            if (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A { return .word }
            return .symbol
        }
        switch glean_char_class(UTF8Validation.decode(text, start).scalar) {
        case Int32(GLEAN_CHAR_PUNCT): return .punct
        case Int32(GLEAN_CHAR_LETTER): return .word
        case Int32(GLEAN_CHAR_NUMBER): return .number
        case Int32(GLEAN_CHAR_IDEOGRAPHIC): return .ideographic
        case Int32(GLEAN_CHAR_KANA): return .kana
        default: return .symbol
        }
    }
}

/// The clitics a language splits off the end of a word, matched case-insensitively with `'` or
/// `’`. English: `'s n't 'll 're 've 'd 'm` ("Sydney's" -> `Sydney` `'s`, "don't" -> `do` `n't`,
/// "WE'RE" -> `WE` `'RE`). The part before the clitic must not be empty. Other languages: none.
public struct CliticRules: Sendable {
    /// Endings after the apostrophe, lowercase ASCII.
    let afterApostrophe: [[UInt8]]
    let splitsNot: Bool
    /// Whether any word can hold a clitic (false: no word needs looking at).
    var splitsAny: Bool { splitsNot || !afterApostrophe.isEmpty }

    public static let english = CliticRules(afterApostrophe: ["s", "ll", "re", "ve", "d", "m"].map { Array($0.utf8) },
                                            splitsNot: true)
    public static let none = CliticRules(afterApostrophe: [], splitsNot: false)

    public static func forLanguage(_ lang: String) -> CliticRules {
        lang == "en" || lang.hasPrefix("en_") || lang.hasPrefix("en-") ? .english : .none
    }

    /// Where the clitic starts in the word [start, end), or nil.
    func splitPoint(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        guard splitsNot || !afterApostrophe.isEmpty, end - start >= 3 else { return nil }
        // Fast reject: every clitic has an apostrophe (' or the last byte of ’) among the last 5 bytes.
        var hasApostrophe = false
        var k = end - 2
        while k >= max(start, end - 5) {
            if text[k] == 0x27 || text[k] == 0x99 { hasApostrophe = true; break }
            k -= 1
        }
        guard hasApostrophe else { return nil }
        for ending in afterApostrophe {
            let tail = end - ending.count
            guard tail - 1 > start else { continue }
            guard (0..<ending.count).allSatisfy({ text[tail + $0] | 0x20 == ending[$0] }) else { continue }
            if let apostrophe = apostropheStart(text, start, tail), apostrophe > start { return apostrophe }
        }
        if splitsNot, end - start >= 4, text[end - 1] | 0x20 == UInt8(ascii: "t"),
           let apostrophe = apostropheStart(text, start, end - 1),
           apostrophe - 1 > start, text[apostrophe - 1] | 0x20 == UInt8(ascii: "n") {
            return apostrophe - 1
        }
        return nil
    }

    /// The start of an apostrophe (`'` or `’`) that ends just before `position`, if any.
    private func apostropheStart(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ position: Int) -> Int? {
        if position - 1 >= start, text[position - 1] == UInt8(ascii: "'") { return position - 1 }
        if position - 3 >= start, text[position - 3] == 0xE2, text[position - 2] == 0x80, text[position - 1] == 0x99 {
            return position - 3
        }
        return nil
    }
}

/// Sentence breaks a language keeps out beyond ICU's own suppressions (`@ss=standard`, which
/// covers "Mr.", "Mrs.", "Prof." and other single-dot abbreviations of CLDR's list).
///
/// English: no break after a title abbreviation that CLDR's list lacks ("Dr.", "St.", "Gen.",
/// "Lt." ...) when the next sentence starts with a capital letter, as a name does: "Dr. Smith
/// left." is one sentence. Multi-dot forms ("U.S.") stay ICU's call: they end sentences too often.
public struct SentenceRules: Sendable {
    let titles: Set<[UInt8]>
    /// The longest title's length in bytes, and whether all start with a capital ASCII letter.
    let maxTitleLength: Int
    let capitalTitles: Bool

    init(titles: Set<[UInt8]>) {
        self.titles = titles
        maxTitleLength = titles.map(\.count).max() ?? 0
        capitalTitles = titles.allSatisfy { $0.first.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ?? false }
    }

    public static let english = SentenceRules(titles: Set([
        "Dr", "St", "Gen", "Lt", "Col", "Sgt", "Capt", "Cpl", "Pte", "Maj", "Brig", "Adm", "Cmdr", "Gov", "Sen",
        "Rep", "Rev", "Hon", "Supt", "Insp", "Det", "Const", "Pres", "Mt", "Ft", "Messrs", "Mme", "Mlle",
    ].map { Array($0.utf8) }))
    public static let none = SentenceRules(titles: [])

    public static func forLanguage(_ lang: String) -> SentenceRules {
        CliticRules.forLanguage(lang).splitsNot ? .english : .none
    }

    /// Whether the sentence ending before token `endToken` must not end there, given the next
    /// sentence starts at token `nextFirst`.
    func keepsTogether(_ text: UnsafeBufferPointer<UInt8>, _ tokens: [Token], endingAt endToken: Int, nextFirst: Int) -> Bool {
        guard !titles.isEmpty else { return false }
        var last = endToken - 1
        while last >= 0, tokens[last].kind == .space { last -= 1 }
        guard last >= 1, tokens[last].end - tokens[last].start == 1, text[tokens[last].start] == UInt8(ascii: "."),
              tokens[last - 1].end == tokens[last].start else { return false }
        let word = tokens[last - 1]
        // Titles are short capitalised words: test that before building the key.
        guard word.end - word.start <= maxTitleLength,
              !capitalTitles || (text[word.start] >= UInt8(ascii: "A") && text[word.start] <= UInt8(ascii: "Z")),
              titles.contains(Array(text[word.start..<word.end])) else { return false }
        var next = nextFirst
        while next < tokens.count, tokens[next].kind == .space { next += 1 }
        guard next < tokens.count else { return false }
        let c = text[tokens[next].start]
        return c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")
    }
}

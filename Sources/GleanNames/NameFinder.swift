import GleanCore

/// The rules of the names stage over one document's tokens: capitalised sequences become
/// PERSON, EVENT, FAC, ORG, GPE, LAW, LOC or WORK_OF_ART candidates (source `names`).
///
/// A *sequence* is capitalised words, initials ("J."), hyphenated words ("Anglo-Dutch") and
/// connectors between them ("of", "for the", "van"), separated by single spaces. Each sequence
/// is read in this order:
/// 1. after a work cue ("the track My Sweet Lord", `the film "Casablanca"`): WORK_OF_ART;
/// 2. leading stop words are dropped ("The", "After"), titles split it ("Liberal Party
///    President Shane Stone" -> "Liberal Party" | "Shane Stone");
/// 3. a head word ends it or opens it before "of" (`heads.tsv`): one entity of the head's
///    label, so "Korean War" is one EVENT and "Korean" is not labelled alone ("longest names
///    first": the resolution policy prefers the longer span);
/// 4. a name of `dictionary.tsv` (WordNet: rivers, seas, regions as LOC, organisations,
///    peoples, famous people);
/// 5. two or three capitalised words after a title: PERSON ("Chief Executive Geoff Dixon");
///    a given name followed by capitalised words, initials or particles: PERSON
///    ("Henry Hudson", "George W Bush", "Ludwig van Beethoven"; a word with a period inside
///    ends it: "Henry Hudson Eng.Sci."; accented Latin-1 letters are read plain where the lists
///    lack a word as written: "Sofía" as "Sofia"); initials followed by a
///    capitalised word: PERSON ("J. R. R. Tolkien"); two words inside a sentence of which the
///    second is a known surname that is no English word ("Hewitt", not "Hill"), neither a
///    place nor in another list, not after a preposition
///    of place ("world number one Lleyton Hewitt"; not "at Swan Hill"). Guards: an ambiguous given name ("Mark")
///    at the start of a sentence needs a known surname after it, or a word no list knows and a
///    reporting verb ("Pat Rafter was", "Mark Ramprakash said"); a given name that another
///    stage found as a place needs a known surname after it ("Paris Hilton", not "Sydney Swans");
///    a plain given name before a one-word place of another stage is a person when the two
///    words are the whole name and no preposition of place comes before ("Todd Woodbridge",
///    not "to Albert Goulburn"). A surname that the document gives after a title or role word
///    elsewhere (a PERSON of the pattern stage: "Mr Shorten", "negotiator Erakat") is a known
///    surname, for these guards and for two unknown words ("Saeb Erakat" at a sentence start);
///    two unknown words inside a sentence are also a person when the second stands alone
///    elsewhere in the document ("Makhaya Ntini" ... "and Ntini was out").
///    A word no list knows before "von", "van", "bin" or "ibn" opens a name ("Wernher von
///    Braun"); a plain given name, "the" and one capitalised word is a name with an epithet
///    ("Frederick the Great"); "al-" or "el-" joined to a capitalised word continues a name
///    ("Abdel Aziz al-Rantissi"); "Abu", "Abd", "Bin", "Ibn" inside a name are no place
///    ("Ismail Abu Shanab", though "Abu" is a town).
///
/// 6. one capitalised word before a corporate title, inside a sentence: ORG ("Qantas Chief
///    Executive Geoff Dixon", "Telstra chairman Bob Mansfield"); not a person's name, a place,
///    a title or a title's modifier ("Deputy Chief Executive");
/// 6b. two or more plain capitalised words, "and", then words that end in an ORG head: one ORG
///    ("Australian Securities and Investments Commission"), not a nationality and a shorter ORG;
/// 7. a region word before a place that another stage found: "Central New York", "Eastern
///    Europe" (LOC), "Greater Sydney" (GPE); unless that stage found the whole ("Western
///    Australia").
/// 8. one or two plain capitalised words alone before a compass bearing, "of" and a capitalised
///    word: GPE ("Burakin, 240 kilometres north-east of Perth", "at Spencer north of Sydney").
/// 9. one plain capitalised word that no list knows, after a lower-case word, and a number of
///    one to three digits right after it that the pattern stage found as a bare CARDINAL: one
///    name, PRODUCT ("stop Bumblebee 5", "a satellite called Starshine 2"), so that the number
///    is no count; not a person's name, a place or an ORG, and not a word that ends a longer
///    capitalised name elsewhere in the document ("Ricky Ponting" ... "and Ponting 26").
///
/// Candidates have priority -1: when a names candidate and a gazetteer or pattern candidate
/// cover the same tokens, the other stage's label wins ("Rhode Island" stays GPE).
///
/// ```swift
/// let finder = NameFinder(lexicon: try Lexicon.defaultLexicon())
/// var doc = Document("He fought in the Korean War with Henry Hudson.")
/// // after segmentation:
/// finder.find(in: doc).map { ($0.label, doc.string($0.start, $0.end)) }
/// // [("EVENT", "Korean War"), ("PERSON", "Henry Hudson")]
/// ```
public struct NameFinder: Sendable {
    public let lexicon: Lexicon
    static let romanNumerals: Set<String> = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI"]

    /// Whether `bytes` are one of ``romanNumerals`` (a String is made only for a word of I, V
    /// and X).
    static func isRomanNumeral(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 == 0x49 || $0 == 0x56 || $0 == 0x58 }) else { return false }
        return romanNumerals.contains(String(decoding: bytes, as: UTF8.self))
    }
    static let placeLabels: Set<String> = ["GPE", "LOC", "NORP", "FAC"]
    /// Abbreviations that open a place's name with their period: "St. Lawrence River", "Mt. Hood".
    static let nameAbbreviations: Set<String> = ["St", "Mt", "Ft", "Pt"]
    /// Words before a corporate title that are no organisation: "Deputy Chief Executive".
    static let titleModifiers: Set<String> = ["Deputy", "Former", "Acting", "Assistant", "Associate", "Joint", "Interim",
                                              "Senior", "Executive", "Group", "Company", "Vice", "Co"]
    /// Particles that make a person's name of a word no list knows and the words after it.
    static let strongParticles: [StaticString] = ["von", "van", "bin", "ibn"]
    /// Capitalised links inside Arabic names: "Ismail Abu Shanab", "Abu Mohammad". A place of
    /// the same spelling ("Abu", a town) does not stop the name.
    static let nameLinks: [StaticString] = ["Abu", "Abd", "Bin", "Ibn"]
    /// Prepositions before which two unknown capitalised words are a place, not a person.
    static let placePrepositions: [StaticString] = ["at", "in", "near", "to", "from", "as", "into", "on", "of", "across", "via"]
    /// Words that make a region of the place they precede: "Central New York", "Eastern Europe"
    /// (LOC); "Greater" makes a city's area ("Greater Sydney", GPE).
    static let regionWords: [String: String] = [
        "Northern": "LOC", "Southern": "LOC", "Eastern": "LOC", "Western": "LOC", "Central": "LOC",
        "Northeastern": "LOC", "Northwestern": "LOC", "Southeastern": "LOC", "Southwestern": "LOC",
        "Upstate": "LOC", "Downstate": "LOC", "Greater": "GPE",
    ]

    public init(lists: NameLists) {
        lexicon = Lexicon(lists)
    }

    public init(lexicon: Lexicon) {
        self.lexicon = lexicon
    }

    enum Kind { case word, initial, connector }

    /// One element of a sequence: tokens first...last (bytes start..<end), what the lists say.
    struct Element {
        var first: Int
        var last: Int
        var start: Int
        var end: Int
        var kind: Kind
        var flags: WordFlags
        var head: Int
        /// ``Lexicon/hash(_:)`` of bytes start..<end, 0 where not worked out.
        var hash: UInt64 = 0
    }

    /// Consecutive elements of a name, read in place: a slice of the state's element storage
    /// (``ElementBuffer``) or of an array's, so that passing part of a name to a rule retains
    /// nothing.
    typealias Elements = Slice<UnsafeBufferPointer<Element>>

    /// The names candidates of a segmented document (its other span groups are read for the
    /// place guard).
    public func find(in document: Document) -> [Span] {
        find(in: document, reusing: State(lexicon: lexicon))
    }

    /// The same, reading with `state` (made for this finder's lexicon), whose tables and sets
    /// keep their storage from document to document: a worker that annotates many documents
    /// allocates them once, not once per document.
    func find(in document: Document, reusing state: State) -> [Span] {
        document.text.withUnsafeBufferPointer { text in
            document.tokens.withUnsafeBufferPointer { tokens in
                state.start(text: text, tokens: tokens)
                defer { state.finish() }
                return find(in: document, state)
            }
        }
    }

    /// Whether `label` is `name`: the lengths first (inline, and most labels differ in length
    /// from the one asked for), then the strings; `==` alone calls out of line for every
    /// unequal pair.
    @inline(__always)
    static func isLabel(_ label: String, _ name: String) -> Bool {
        label.utf8.count == name.utf8.count && label == name
    }

    /// The reading of `document` by `state`, given its text and tokens.
    private func find(in document: Document, _ state: State) -> [Span] {
        state.out.reserveCapacity(16)  // one allocation for most documents' names
        // Place candidates from earlier stages, by token index: single tokens (for the guards) and
        // the longest GPE or LOC that starts at each token (for region words).
        for group in document.spanGroups {
            let spans = group.spans
            // By index, properties read in place: no copy of each span.
            for k in spans.indices {
                // A PERSON after a title or role word ("Mr Shorten", "negotiator Saeb Erakat"):
                // its last word is a surname of this document.
                if spans[k].source == .pattern {
                    if Self.isLabel(spans[k].label, "PERSON") {
                        state.noteSurname(spans[k].matchStart, spans[k].matchEnd)
                    } else if spans[k].endToken - spans[k].firstToken == 1, Self.isLabel(spans[k].label, "CARDINAL") {
                        // A bare number ("5"), for rule 9.
                        state.cardinals.insert(spans[k].firstToken)
                    }
                    continue
                }
                let first = spans[k].firstToken, end = spans[k].endToken
                // Compared, not hashed: most spans are not places.
                let label = spans[k].label
                let area = Self.isLabel(label, "GPE") || Self.isLabel(label, "LOC")
                guard area || Self.isLabel(label, "NORP") || Self.isLabel(label, "FAC") else {
                    if end - first == 1, Self.isLabel(label, "ORG") { state.organisations.insert(first) }
                    continue
                }
                if end - first == 1 { state.places.insert(first) }
                if area { state.areas.append((first, end)) }
            }
        }
        state.run()
        state.regions()
        return state.out
    }

    /// One document's reading: its text and tokens, what other stages found in it, and the
    /// spans found so far. A class, so that the many questions asked of it per token pass a
    /// reference rather than a copy of it; one thread uses an instance.
    final class State {
        /// The document's text and tokens, in place: valid from ``start(text:tokens:)`` to
        /// ``finish()``, which ``NameFinder/find(in:reusing:)`` calls inside the arrays'
        /// `withUnsafeBufferPointer` (empty otherwise). Read without a copy or a retain per
        /// question; every index the rules make is checked against `tokens.count` or comes
        /// from a token, whose bytes lie in the text.
        private(set) var text = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        private(set) var tokens = UnsafeBufferPointer<Token>(start: nil, count: 0)
        let lexicon: Lexicon
        @exclusivity(unchecked) var places = TokenSet()
        /// The GPE and LOC candidates of other stages, (first token, end token).
        @exclusivity(unchecked) var areas: [(start: Int, end: Int)] = []
        /// One-token ORGs of other stages ("Qantas"), by token index.
        @exclusivity(unchecked) var organisations = TokenSet()
        /// One-token CARDINALs of the pattern stage ("5"), by token index.
        @exclusivity(unchecked) var cardinals = TokenSet()
        /// The surnames this document gives after a title or role word (a set of words: one
        /// look-up per question, whatever their number).
        @exclusivity(unchecked) var surnames = WordTable<Bool>()
        /// The capitalised words that stand alone somewhere in the document (``standsAlone``),
        /// found in one pass over the tokens the first time ``recurs`` asks
        /// (`standaloneFound`).
        @exclusivity(unchecked) var standalone = WordTable<Bool>()
        @exclusivity(unchecked) var standaloneFound = false
        @exclusivity(unchecked) var out: [Span] = []
        /// The storage of the elements of the name being read, kept between names and
        /// documents.
        let elements = ElementBuffer()
        /// The kb_ids made so far, by index (nil: not made yet), kept between documents: most
        /// are longer than a string holds inline ("WordNet:07989620"), so that making one at
        /// every dictionary name would allocate. Sized for the lexicon's kb_ids at the first.
        @exclusivity(unchecked) var kbIds: [String?] = []

        /// kb_id `k` of the lexicon, made once per state.
        func kbId(_ k: Int) -> String {
            if kbIds.isEmpty { kbIds = Array(repeating: nil, count: lexicon.kbIdCount) }
            if let s = kbIds[k] { return s }
            let s = lexicon.kbId(k)
            kbIds[k] = s
            return s
        }

        /// A state for documents read with `lexicon`; ``start(text:tokens:)`` gives it one.
        init(lexicon: Lexicon) {
            self.lexicon = lexicon
        }

        /// Begins the reading of a document: its text and tokens, nothing found yet (the sets
        /// and tables of the last document emptied, their storage kept).
        func start(text: UnsafeBufferPointer<UInt8>, tokens: UnsafeBufferPointer<Token>) {
            self.text = text
            self.tokens = tokens
            places.reset(count: tokens.count)
            organisations.reset(count: tokens.count)
            cardinals.reset(count: tokens.count)
            areas.removeAll(keepingCapacity: true)
            surnames.removeAll()
            standalone.removeAll()
            standaloneFound = false
            out = []
        }

        /// Ends the reading of a document: its text, tokens and spans are let go.
        func finish() {
            text = UnsafeBufferPointer(start: nil, count: 0)
            tokens = UnsafeBufferPointer(start: nil, count: 0)
            out = []
        }

        /// The text's bytes [start, end), in place.
        @inline(__always)
        func bytes(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: text[start..<end])
        }

        @inline(__always)
        func isCapitalised(_ i: Int) -> Bool {
            let t = tokens[i]
            guard t.kind == .word else { return false }
            let b = text[t.start]
            guard Self.mayOpenCapital(b) else { return false }
            return b < 0x80 || startsUppercase(t)
        }

        /// Whether a word starting with byte `b` may be capitalised: an ASCII capital (it is), or
        /// a non-ASCII byte (``startsUppercase(_:)`` decides).
        @inline(__always)
        static func mayOpenCapital(_ b: UInt8) -> Bool { b &- 0x41 < 26 || b >= 0x80 }

        /// A non-ASCII first letter: decoded, and asked whether it is upper case. Never inlined:
        /// a function that holds this code asks for `Unicode.Scalar.Properties`' type metadata
        /// and makes room for it on the stack at every call, taken or not, and the callers
        /// (``isCapitalised(_:)``, so most rules) run for every capitalised token.
        @inline(never)
        func startsUppercase(_ t: Token) -> Bool {
            let s = String(decoding: text[t.start..<min(t.end, t.start + 4)], as: UTF8.self)
            return s.unicodeScalars.first.map { $0.properties.isUppercase } ?? false
        }

        /// The list flags of a lower-case word token that is a connector or a work cue, as
        /// `kind` says (`.connector` or `.workCue`: what the caller asks for); empty for a token
        /// that is not of that kind, most often without a lookup (``Lexicon/mayBe(_:_:count:)``).
        /// Inlined, for the tests that turn most tokens away without a call; the lookup is not.
        @inline(__always)
        func lowerFlags(_ i: Int, _ kind: WordFlags) -> WordFlags {
            guard i >= 0, i < tokens.count, tokens[i].kind == .word else { return [] }
            let b = text[tokens[i].start]
            guard b >= 0x61 && b <= 0x7A, lexicon.mayBe(kind, b, count: tokens[i].end - tokens[i].start) else { return [] }
            return flags(of: i)
        }

        /// The list flags of token i (empty if no list has it).
        @inline(never)
        func flags(of i: Int) -> WordFlags { lexicon.flags(bytes(tokens[i].start, tokens[i].end)) }

        /// Exactly one space between tokens i and j.
        @inline(__always)
        func spaced(_ i: Int, _ j: Int) -> Bool {
            j < tokens.count && tokens[j].start == tokens[i].end + 1 && text[tokens[i].end] == 0x20
        }

        @inline(__always)
        func touching(_ i: Int, _ j: Int) -> Bool { j < tokens.count && tokens[j].start == tokens[i].end }

        @inline(__always)
        func isPunct(_ i: Int, _ c: UInt8) -> Bool {
            i >= 0 && i < tokens.count && tokens[i].end - tokens[i].start == 1 && text[tokens[i].start] == c
        }

        /// Token i opens a sentence: the first token, or after . ! ? : (and an opening quote),
        /// or after a line break.
        func sentenceStart(_ i: Int) -> Bool {
            var p = i - 1
            if p < 0 { return true }
            if text[tokens[p].end..<tokens[i].start].contains(0x0A) { return true }
            if isPunct(p, 0x22) || isPunct(p, 0x27) { p -= 1; if p < 0 { return true } }
            return isPunct(p, 0x2E) || isPunct(p, 0x21) || isPunct(p, 0x3F) || isPunct(p, 0x3A)
        }

        /// An element starting at token i: a capitalised word (with "-Word" parts and an
        /// abbreviation's final "."), or an initial "J." / "W"; nil otherwise.
        func element(at i: Int) -> Element? {
            guard i < tokens.count, isCapitalised(i) else { return nil }
            var last = i
            // Hyphenated compounds: Anglo-Dutch, Australian-Israeli.
            while last + 2 < tokens.count, isPunct(last + 1, 0x2D), touching(last, last + 1), touching(last + 1, last + 2),
                  isCapitalised(last + 2) {
                last += 2
            }
            let start = tokens[i].start, end = tokens[last].end
            let single = end - start == 1
            var abbreviation = single
            if !single, last == i {
                // A dot and no lower-case letter: the first lower-case letter settles it ("Mr").
                var dot = false, lower = false
                var k = start
                while k < end {
                    let b = text[k]
                    if b == 0x2E { dot = true } else if b &- 0x61 < 26 { lower = true; break }
                    k += 1
                }
                abbreviation = dot && !lower
            }
            let (hash, high) = Lexicon.hashAndHigh(bytes(start, end))
            // "Sofía" is looked up as "Sofia" where the lists lack it as written.
            var entry = lexicon.info(bytes(start, end), hash: hash)
            if entry == nil, high, last == i { entry = lexicon.plainInfo(bytes(start, end)) }
            var e = Element(first: i, last: last, start: start, end: end, kind: single ? .initial : .word,
                            flags: entry?.flags ?? [], head: entry?.head ?? -1, hash: hash)
            // "Jan-Michael": a hyphenated given name counts as its first part.
            if last > i, !e.flags.contains(.given),
               lexicon.flags(bytes(start, tokens[i].end)).contains(.given) {
                e.flags.insert(.given)
            }
            // Two bytes, "t" second, checked before a String is made.
            let placeAbbreviation = last == i && end - start == 2 && text[start + 1] == 0x74
                && NameFinder.nameAbbreviations.contains(String(decoding: text[start..<end], as: UTF8.self))
            if abbreviation || placeAbbreviation, last + 1 < tokens.count, isPunct(last + 1, 0x2E), touching(last, last + 1),
               spaced(last + 1, last + 2), isCapitalised(last + 2) {
                // "J." / "U.S.": the period belongs to the element when a name follows it;
                // "St." stays a word, the start of a place's name ("St. Lawrence River").
                e.last = last + 1
                e.end = tokens[last + 1].end
                e.hash = 0
                if !placeAbbreviation { e.kind = .initial }
            }
            return e
        }

        /// The first token at or after `i` that can open a name or a quoted title: a word whose
        /// first byte is an ASCII capital or not ASCII (``isCapitalised`` decides those), or
        /// a `"`. Every other token gives nothing in ``run()``, and most tokens are such: one
        /// byte test each instead of ``element(at:)``.
        @inline(__always)
        func nextCandidate(from i: Int) -> Int {
            var i = i
            while i < tokens.count {
                let t = tokens[i]
                let b = text[t.start]
                if b == 0x22 || (t.kind == .word && Self.mayOpenCapital(b)) { return i }
                i += 1
            }
            return i
        }

        func run() {
            var i = 0
            while true {
                i = nextCandidate(from: i)
                guard i < tokens.count else { break }
                // A quoted title after a work cue: the film "Casablanca".
                if isPunct(i, 0x22), lowerFlags(i - 1, .workCue).contains(.workCue),
                   let close = (i + 1..<min(tokens.count, i + 14)).first(where: { isPunct($0, 0x22) }),
                   close > i + 1, isCapitalised(i + 1) {
                    emit(i + 1, close - 1, "WORK_OF_ART", "work:quoted")
                    i = close + 1
                    continue
                }
                guard let first = element(at: i) else { i += 1; continue }
                // The elements go into storage kept from name to name (most tokens that open a
                // name would otherwise allocate an array); read in place until the next name.
                elements.removeAll()
                sequence(startingWith: first, into: elements)
                let seq = elements.all
                let j = seq[seq.count - 1].last
                // "Australian Securities and Investments Commission": one ORG across "and".
                if let (start, last) = joinedOrganisation(seq[...]) {
                    emit(start, last, "ORG", "org:and")
                    i = last + 1
                    continue
                }
                // "Telstra chairman ...": one word before a lower-case corporate title.
                if seq.count == 1, corporateTitleFollows(j), organisationBeforeTitle(first) {
                    emit(first.first, first.last, "ORG", "org:title")
                    i = j + 1
                    continue
                }
                // "stop Bumblebee 5": a word no list knows and a bare number after it.
                if seq.count == 1, let number = numberedName(first) {
                    emit(first.first, number, "PRODUCT", "product:numbered")
                    i = number + 1
                    continue
                }
                // After a work cue: "the track My Sweet Lord".
                if first.first > 0, spaced(first.first - 1, first.first), lowerFlags(first.first - 1, .workCue).contains(.workCue),
                   seq.count > 1 || (first.kind == .word && !first.flags.contains(.stop)) {
                    emit(seq[0].first, seq[seq.count - 1].last, "WORK_OF_ART", "work:cue")
                } else {
                    classify(seq[...])
                }
                i = j + 1
            }
        }

        /// The elements of a name that opens with `first`: capitalised words, initials, and
        /// connectors between them ("of", "for the", "van").
        func sequence(startingWith first: Element) -> [Element] {
            let seq = ElementBuffer()
            sequence(startingWith: first, into: seq)
            return Array(seq.all)
        }

        /// The same, appended to `seq` (storage kept from name to name).
        func sequence(startingWith first: Element, into seq: ElementBuffer) {
            seq.append(first)
            var j = first.last
            while true {
                // The next element: a capitalised word (``element(at:)`` gives one for every such
                // token and nil for any other) or "al-Rantissi"; each tested before the call.
                if spaced(j, j + 1),
                   let e = isCapitalised(j + 1) ? element(at: j + 1) : mayBeArabicArticle(j + 1) ? arabicArticleElement(at: j + 1) : nil {
                    seq.append(e)
                    j = e.last
                    continue
                }
                // Connectors: "of", "for the", "van" (at most two, so no array for them).
                var k = j + 1
                var flags: (WordFlags, WordFlags) = ([], [])
                var connectors = 0
                var prev = j
                while connectors < 2, spaced(prev, k) {
                    let f = lowerFlags(k, .connector)
                    guard f.contains(.connector) else { break }
                    if connectors == 0 { flags.0 = f } else { flags.1 = f }
                    connectors += 1
                    prev = k
                    k += 1
                }
                // A stop word after a connector ends the name: "Constitution of July 1788".
                if connectors > 0, spaced(prev, k), let e = element(at: k), !e.flags.contains(.stop) {
                    for c in 0..<connectors {
                        let t = j + 1 + c
                        seq.append(Element(first: t, last: t, start: tokens[t].start, end: tokens[t].end, kind: .connector,
                                           flags: c == 0 ? flags.0 : flags.1, head: -1))
                    }
                    seq.append(e)
                    j = e.last
                    continue
                }
                return
            }
        }

        /// Two or more plain capitalised words, " and ", then words that end in an ORG head: one
        /// ORG ("Australian Competition and Consumer Commission"). The first part has no head,
        /// title, given name or connector, and no place or ORG of another stage but its first
        /// word (a nationality: "Australian"); the second part has no place, title or stop word.
        /// Returns the first and last token of the name.
        func joinedOrganisation(_ seq: Elements) -> (Int, Int)? {
            // The cheap tests first: this runs after every sequence.
            let j = seq[seq.endIndex - 1].last
            guard seq.count >= 2, j + 2 < tokens.count, isWord(j + 1, "and"), spaced(j, j + 1), spaced(j + 1, j + 2),
                  isCapitalised(j + 2) else { return nil }
            // Leading stop words and title modifiers are no part of it: "The", "Senior".
            let one = seq.drop(while: { isStop($0) || $0.kind == .word && NameFinder.titleModifiers.contains(word($0.first)) })
            guard (2...4).contains(one.count), let o = one.first, !organisations.contains(o.first) else { return nil }
            for (n, e) in one.enumerated() {
                guard e.kind == .word, e.flags.isDisjoint(with: [.title, .given, .ambiguousGiven, .stop, .numeral]), !isHead(e) else { return nil }
                if n > 0, places.contains(e.first) || organisations.contains(e.first) { return nil }
            }
            guard let f2 = element(at: j + 2) else { return nil }
            let two = sequence(startingWith: f2)
            guard two.count <= 4, let h = head(two[two.count - 1]), h.label == "ORG", h.position.allowsEnd else { return nil }
            for e in two {
                guard e.kind == .word, e.flags.isDisjoint(with: [.title, .stop]), !places.contains(e.first) else { return nil }
            }
            // No part of a longer place of another stage: "Gaza Strip and West Bank".
            let last = two[two.count - 1].last
            if areas.contains(where: { $0.start <= last && $0.end > o.first }) { return nil }
            return (o.first, last)
        }

        /// Token i is a capitalised word that stands alone inside a sentence: no capitalised word
        /// or hyphen next to it, not after "the", "a", "an" ("... and Ntini was out").
        func standsAlone(_ i: Int) -> Bool {
            guard isCapitalised(i) else { return false }
            if i > 0, spaced(i - 1, i), isCapitalised(i - 1) { return false }
            if spaced(i, i + 1), isCapitalised(i + 1) { return false }
            if i + 1 < tokens.count, touching(i, i + 1), isPunct(i + 1, 0x2D) { return false }
            if i > 0, touching(i - 1, i), isPunct(i - 1, 0x2D) { return false }
            return !sentenceStart(i) && !afterDeterminer(i)
        }

        /// Token i follows "the", "a" or "an": a common noun's place ("the Government").
        func afterDeterminer(_ i: Int) -> Bool {
            i > 0 && spaced(i - 1, i) && (isWord(i - 1, "the") || isWord(i - 1, "a") || isWord(i - 1, "an"))
        }

        /// The one-token word of `e` stands alone elsewhere in the document ("Makhaya Ntini" ...
        /// "and Ntini was out"). The words that stand alone are gathered in one pass, the first
        /// time it is asked, so that many pairs cost one pass, not one each. (`e` itself, the
        /// second word of a pair, never stands alone: a capitalised word precedes it.)
        func recurs(_ e: Element) -> Bool {
            guard e.kind == .word, e.last == e.first else { return false }
            if !standaloneFound {
                // Most tokens are no capitalised word: one byte test each before the full one.
                for i in tokens.indices where tokens[i].kind == .word && Self.mayOpenCapital(text[tokens[i].start]) && standsAlone(i) {
                    addWord(tokens[i].start, tokens[i].end, to: &standalone)
                }
                standaloneFound = true
            }
            let word = bytes(e.start, e.end)
            return standalone.find(word, hash: Lexicon.hash(word)) != nil
        }

        /// Adds the text's bytes [start, end) to `table` unless it holds them already.
        func addWord(_ start: Int, _ end: Int, to table: inout WordTable<Bool>) {
            let word = bytes(start, end), h = Lexicon.hash(word)
            if table.find(word, hash: h) == nil { table.insert(word, hash: h, true) }
        }

        /// Records the last word of a PERSON match [start, end) of the pattern stage as a surname
        /// of this document (two letters or more, capitalised).
        func noteSurname(_ start: Int, _ end: Int) {
            var s = end
            while s > start, text[s - 1] != 0x20 { s -= 1 }
            guard end - s >= 2, text[s] >= 0x41, text[s] <= 0x5A else { return }
            addWord(s, end, to: &surnames)
        }

        /// The n bytes of the text at a and at b are equal.
        @inline(__always)
        func sameBytes(_ a: Int, _ b: Int, _ n: Int) -> Bool {
            var k = 0
            while k < n {
                if text[a + k] != text[b + k] { return false }
                k += 1
            }
            return true
        }

        /// A one-token word that this document names as a surname after a title or role word
        /// elsewhere ("Bill Shorten" ... "Mr Shorten"); bytes compared, no String made.
        func documentSurname(_ e: Element) -> Bool {
            guard e.kind == .word, surnames.count > 0 else { return false }
            let word = bytes(e.start, e.end)
            return surnames.find(word, hash: Lexicon.hash(word)) != nil
        }

        /// Verbs after which a sentence-initial "Pat Rafter" is a person's name ("Pat Rafter was
        /// forced", "Mark Ramprakash said"), not a common word and a name ("Will Qantas survive").
        static let reportingVerbs: [StaticString] = ["said", "says", "was", "has", "had", "told", "is"]

        /// Rule 5, an ambiguous given name at a sentence start (element k) with one plain
        /// capitalised word after it that no list knows, then a reporting verb.
        func reportedName(_ seg: Elements, _ k: Int) -> Bool {
            guard k + 1 < seg.endIndex else { return false }
            let next = seg[k + 1]
            guard next.kind == .word, next.last == next.first, nameLike(next), !isHead(next), !places.contains(next.first),
                  !organisations.contains(next.first),
                  next.flags.isDisjoint(with: [.stop, .title, .numeral, .given, .ambiguousGiven, .ambiguousSurname]),
                  k + 2 == seg.endIndex || seg[k + 2].kind == .connector else { return false }
            let v = next.last + 1
            return spaced(next.last, v) && State.reportingVerbs.contains(where: { isWord(v, $0) })
        }

        /// "Abu", "Abd", "Bin", "Ibn" with a capitalised word after it in the sequence.
        func isNameLink(_ e: Element) -> Bool {
            e.kind == .word && e.last == e.first && e.end - e.start == 3 && NameFinder.nameLinks.contains(where: { isWord(e.first, $0) })
        }

        /// A capitalised word that no list knows: not a stop word, title, numeral, head, place
        /// or ORG of another stage ("Wernher").
        func plainUnknown(_ e: Element) -> Bool {
            e.kind == .word && nameLike(e) && e.flags.isDisjoint(with: [.stop, .title, .numeral, .ambiguousGiven, .ambiguousSurname])
                && !isHead(e) && !places.contains(e.first) && !organisations.contains(e.first)
        }

        /// Whether token i may be "al" or "el": two bytes, "l" second (most tokens are not).
        @inline(__always)
        func mayBeArabicArticle(_ i: Int) -> Bool {
            i < tokens.count && tokens[i].end - tokens[i].start == 2 && text[tokens[i].start + 1] == 0x6C
        }

        /// "al-Rantissi", "el-Baradei" after a capitalised word: the lower-case article, a hyphen
        /// and a capitalised word, touching, as one element of a name.
        func arabicArticleElement(at i: Int) -> Element? {
            guard i + 2 < tokens.count, tokens[i].end - tokens[i].start == 2, isWord(i, "al") || isWord(i, "el"), isPunct(i + 1, 0x2D), touching(i, i + 1),
                  touching(i + 1, i + 2), isCapitalised(i + 2), nameLike(Element(first: i + 2, last: i + 2, start: tokens[i + 2].start,
                                                                                 end: tokens[i + 2].end, kind: .word, flags: [], head: -1))
            else { return nil }
            return Element(first: i, last: i + 2, start: tokens[i].start, end: tokens[i + 2].end, kind: .word, flags: [.surname], head: -1)
        }

        /// Token i follows a preposition of place ("at Swan Hill", "in Todd").
        func afterPlacePreposition(_ i: Int) -> Bool {
            i > 0 && NameFinder.placePrepositions.contains(where: { isWord(i - 1, $0) })
        }

        func isStop(_ e: Element) -> Bool { e.kind != .connector && e.flags.contains(.stop) }
        func isTitle(_ e: Element) -> Bool { e.kind == .word && e.flags.contains(.title) }
        func head(_ e: Element) -> (word: String, label: String, position: HeadPosition)? {
            e.kind == .word && e.head >= 0 ? lexicon.heads[e.head] : nil
        }
        /// Whether `e` is a head word (``head(_:)`` without copying its strings).
        @inline(__always)
        func isHead(_ e: Element) -> Bool { e.kind == .word && e.head >= 0 }
        /// The position of `e`'s head, nil if it is none (its strings are not copied).
        @inline(__always)
        func headPosition(_ e: Element) -> HeadPosition? { isHead(e) ? lexicon.heads[e.head].position : nil }
        func isGiven(_ e: Element) -> Bool { e.kind == .word && !e.flags.isDisjoint(with: [.given, .ambiguousGiven]) }

        func classify(_ input: Elements) {
            var seg = input
            while let f = seg.first, isStop(f) || f.kind == .connector { seg = seg.dropFirst() }
            while let l = seg.last, l.kind == .connector { seg = seg.dropLast() }
            guard !seg.isEmpty else { return }
            let lo = seg.startIndex, hi = seg.endIndex - 1

            // A head across a connector: "Bank of England", "Institute for the Study of War".
            if let c = seg.firstIndex(where: { $0.kind == .connector }) {
                if c > lo, headPosition(seg[c - 1])?.allowsFirst == true {
                    let start = seg[lo..<c].lastIndex(where: isTitle).map { $0 + 1 } ?? lo
                    if start < c {
                        emit(seg[start].first, seg[hi].last, lexicon.heads[seg[c - 1].head].label, lexicon.headRules[seg[c - 1].head])
                        return
                    }
                }
                if seg[c].flags.contains(.particle), c > lo, let g = seg[lo..<c].firstIndex(where: isGiven),
                   let end = personEnd(seg, from: c) {
                    classify(seg[lo..<g])
                    emit(seg[g].first, seg[end].last, "PERSON", "person:particle")
                    if end < hi { classify(seg[(end + 1)...]) }
                    return
                }
                // "Wernher von Braun": a word no list knows before "von", "van", "bin" or "ibn".
                if c > lo, NameFinder.strongParticles.contains(where: { isWord(seg[c].first, $0) }), plainUnknown(seg[c - 1]),
                   let end = personEnd(seg, from: c) {
                    classify(seg[lo..<(c - 1)])
                    emit(seg[c - 1].first, seg[end].last, "PERSON", "person:particle")
                    if end < hi { classify(seg[(end + 1)...]) }
                    return
                }
                // "Frederick the Great": a plain given name, "the" and one capitalised word.
                if c > lo, c < hi, isWord(seg[c].first, "the"), seg[c - 1].kind == .word, seg[c - 1].flags.contains(.given),
                   !places.contains(seg[c - 1].first), seg[c + 1].kind == .word, seg[c + 1].last == seg[c + 1].first,
                   seg[c + 1].flags.isDisjoint(with: [.stop, .title, .numeral]), !isHead(seg[c + 1]), !places.contains(seg[c + 1].first),
                   c + 1 == hi || seg[c + 2].kind == .connector {
                    classify(seg[lo..<(c - 1)])
                    emit(seg[c - 1].first, seg[c + 1].last, "PERSON", "person:epithet")
                    if c + 1 < hi { classify(seg[(c + 2)...]) }
                    return
                }
                classify(seg[lo..<c])
                var r = c
                while r <= hi, seg[r].kind == .connector { r += 1 }
                if r <= hi { classify(seg[r...]) }
                return
            }

            // A head that ends the sequence (the last one), with a numeral after it: "World War II".
            var h = hi
            if h > lo, seg[h].flags.contains(.numeral) { h -= 1 }
            if headPosition(seg[h])?.allowsEnd == true, h > lo {
                let start = seg[lo..<h].lastIndex(where: isTitle).map { $0 + 1 } ?? lo
                if start < h {
                    classify(seg[lo..<max(lo, start - 1)])
                    emit(seg[start].first, seg[hi].last, lexicon.heads[seg[h].head].label, lexicon.headRules[seg[h].head])
                    return
                }
            }
            // A head that opens it: "Fort Nassau", "Mount Everest".
            if headPosition(seg[lo]) == .start, hi > lo, !isTitle(seg[lo + 1]) {
                emit(seg[lo].first, seg[hi].last, lexicon.heads[seg[lo].head].label, lexicon.headRules[seg[lo].head])
                return
            }
            // A title splits it: "Liberal Party President Shane Stone".
            if let t = seg.firstIndex(where: isTitle) {
                if t == lo + 1, corporateTitle(seg, at: t), organisationBeforeTitle(seg[lo]) {
                    emit(seg[lo].first, seg[lo].last, "ORG", "org:title")
                } else {
                    classify(seg[lo..<t])
                }
                let rest = seg[(t + 1)...]
                // Two or three plain capitalised words after a title: "Chief Executive Geoff Dixon".
                if (2...3).contains(rest.count),
                   rest.allSatisfy({ $0.kind != .connector && !isStop($0) && !isTitle($0) && !isHead($0) && !places.contains($0.first) }) {
                    emit(rest[rest.startIndex].first, rest[hi].last, "PERSON", "person:title")
                    return
                }
                if t < hi { classify(rest) }
                return
            }
            // A head inside, before other words: "Davis Cup Final".
            if let m = seg[lo..<hi].lastIndex(where: { headPosition($0)?.allowsEnd ?? false }), m > lo {
                classify(seg[lo...m])
                classify(seg[(m + 1)...])
                return
            }
            // Dictionary names (LOC, ORG, NORP, PERSON), longest first.
            var k = lo
            var rest = lo
            while k <= hi {
                var matched = false
                // The hashes of the names of one to four elements from k, each extending the one
                // before (the hash reads bytes in order), so that every byte is hashed once; one
                // element's hash is its element's, worked out when it was read.
                let longest = min(4, hi - k + 1)
                var hashes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
                hashes.0 = seg[k].hash != 0 ? seg[k].hash : Lexicon.hash(bytes(seg[k].start, seg[k].end))
                if longest > 1 { hashes.1 = Lexicon.hash(bytes(seg[k].end, seg[k + 1].end), continuing: hashes.0) }
                if longest > 2 { hashes.2 = Lexicon.hash(bytes(seg[k + 1].end, seg[k + 2].end), continuing: hashes.1) }
                if longest > 3 { hashes.3 = Lexicon.hash(bytes(seg[k + 2].end, seg[k + 3].end), continuing: hashes.2) }
                for n in stride(from: longest, through: 1, by: -1) {
                    let name = bytes(seg[k].start, seg[k + n - 1].end)
                    let hash = n == 1 ? hashes.0 : n == 2 ? hashes.1 : n == 3 ? hashes.2 : hashes.3
                    if let d = lexicon.dictionaryIndex(name, hash: hash) {
                        if k > rest { people(seg[rest..<k]) }
                        var last = k + n - 1
                        let label = lexicon.dictionaryLabel(d)
                        // A famous name continues as a person's name: "Frederick II Irontooth".
                        if label == "PERSON", last < hi, let end = personEnd(seg, from: last + 1) { last = end }
                        emit(seg[k].first, seg[last].last, label, "dictionary:wordnet", kbId: last == k + n - 1 ? kbId(lexicon.kbIdIndex(d)) : "")
                        k = last + 1
                        rest = k
                        matched = true
                        break
                    }
                }
                if !matched { k += 1 }
            }
            if rest <= hi { people(seg[rest...]) }
        }

        /// The index of the last element of a person's name that continues from `from`
        /// (capitalised words, initials, numerals, particles), at most four; nil if none.
        func personEnd(_ seg: Elements, from: Int) -> Int? {
            var j = from
            var end: Int? = nil
            var n = 0
            while j < seg.endIndex, n < 4 {
                let e = seg[j]
                if e.kind == .connector {
                    guard e.flags.contains(.particle), j + 1 < seg.endIndex else { break }
                } else if isStop(e) || isTitle(e) || isHead(e) || isAcronym(e) || isDotted(e) {
                    break
                } else {
                    end = j
                }
                j += 1
                n += 1
            }
            return end
        }

        /// A word with a period inside, an abbreviation of words ("Eng.Sci", "Ph.D"): a degree or
        /// a field after a name, which ends it ("Henry Hudson Eng.Sci.").
        func isDotted(_ e: Element) -> Bool {
            guard e.kind == .word, e.last == e.first else { return false }
            var k = e.start + 1
            while k < e.end - 1 {
                if text[k] == 0x2E { return true }
                k += 1
            }
            return false
        }

        /// A word of two or more capitals and no other letter that is no Roman numeral: an
        /// acronym ("Hertha BSC", "Paris SG", "Manchester United FC"), which ends a person's name.
        func isAcronym(_ e: Element) -> Bool {
            guard e.kind == .word, e.last == e.first, e.end - e.start >= 2 else { return false }
            var k = e.start
            while k < e.end {
                guard text[k] &- 0x41 < 26 else { return false }
                k += 1
            }
            return !e.flags.contains(.numeral)
                && !NameFinder.isRomanNumeral(bytes(e.start, e.end))
        }

        /// PERSON rules over a sequence with no heads.
        func people(_ seg: Elements) {
            // Rule 8: a place by its bearing from another, "Burakin, 240 kilometres north-east of
            // Perth", "a blaze at Spencer north of Sydney": one or two plain capitalised words
            // alone (no capitalised word before them), then a compass bearing and "of" and a
            // capitalised word.
            if (1...2).contains(seg.count), let f = seg.first, let l = seg.last, bearingFollows(l.last),
               f.first == 0 || !isCapitalised(f.first - 1),
               seg.allSatisfy({ $0.kind == .word && nameLike($0) && $0.flags.isDisjoint(with: [.stop, .title, .numeral]) && !isHead($0) }) {
                emit(f.first, l.last, "GPE", "place:bearing")
                return
            }
            if surnamePair(seg) {
                emit(seg[seg.startIndex].first, seg[seg.startIndex + 1].last, "PERSON", "person:surname")
                return
            }
            var k = seg.startIndex
            while k < seg.endIndex {
                let e = seg[k]
                // Initials first: "J. R. R. Tolkien".
                if e.kind == .initial, e.last > e.first, k + 1 < seg.endIndex,
                   let end = personEnd(seg, from: k + 1), seg[(k + 1)...end].contains(where: { $0.kind == .word }) {
                    emit(e.first, seg[end].last, "PERSON", "person:initials")
                    k = end + 1
                    continue
                }
                let plain = e.flags.contains(.given)
                let ambiguous = !plain && e.flags.contains(.ambiguousGiven)
                if e.kind == .word, plain || ambiguous, k + 1 < seg.endIndex, let end = personEnd(seg, from: k + 1) {
                    let next = seg[k + 1]
                    let knownSurname = next.flags.contains(.surname) || seg[end].flags.contains(.surname)
                        || documentSurname(next) || documentSurname(seg[end])
                    var ok = true
                    if ambiguous && !knownSurname && sentenceStart(e.first) && !reportedName(seg, k) { ok = false }
                    // A place found by another stage: "Sydney Swans" is not a person.
                    let link = isNameLink(e) || isNameLink(next) && end > k + 1
                    if !knownSurname && places.contains(e.first) && !(isNameLink(e) && !afterPlacePreposition(e.first)) { ok = false }
                    // A plain given name before a one-word place is a person whose surname is also
                    // a town ("Todd Woodbridge", "Daryl Cullinan"), unless a preposition of place
                    // comes before it or more words follow ("at Paul Adelaide", "Henry Sydney Swans").
                    if !knownSurname && places.contains(next.first) && !link
                        && (ambiguous || end != k + 1 || !nameLike(next) || afterPlacePreposition(e.first)) { ok = false }
                    if ok {
                        emit(e.first, seg[end].last, "PERSON", ambiguous ? "person:given-ambiguous" : "person:given")
                        k = end + 1
                        continue
                    }
                }
                k += 1
            }
        }

        func word(_ i: Int) -> String { String(decoding: text[tokens[i].start..<tokens[i].end], as: UTF8.self) }

        /// After token j: an optional comma, an optional distance ("about 240 kilometres"), a
        /// compass bearing ("north", "south-west", "northeast"), "of" and a capitalised word.
        func bearingFollows(_ j: Int) -> Bool {
            // Most words after a name start otherwise ("said", "and", "was"): the two bytes after
            // the space say so before any token is read. Bearings start "no", "so", "ea", "we";
            // the distance modifiers "ab", "so", "ar", "ju", "ne", "al"; or a digit.
            var b = tokens[j].end
            if b < text.count, text[b] == 0x2C { b += 1 }
            guard b + 2 < text.count, text[b] == 0x20 else { return false }
            let c = text[b + 1], d = text[b + 2]
            if !(c >= 0x30 && c <= 0x39) {
                let ok: Bool
                switch c {
                case 0x6E: ok = d == 0x6F || d == 0x65          // no, ne
                case 0x73: ok = d == 0x6F                       // so
                case 0x65: ok = d == 0x61                       // ea
                case 0x77: ok = d == 0x65                       // we
                case 0x61: ok = d == 0x62 || d == 0x72 || d == 0x6C  // ab, ar, al
                case 0x6A: ok = d == 0x75                       // ju
                default: ok = false
                }
                guard ok else { return false }
            }
            var i = j + 1
            if isPunct(i, 0x2C), touching(j, i) {
                guard spaced(i, i + 1) else { return false }
                i += 1
            } else if !spaced(j, i) {
                return false
            }
            if c == 0x61 || c == 0x6A || c == 0x6E && d == 0x65 || c == 0x73 && isWord(i, "some") {
                guard isWord(i, "about") || isWord(i, "around") || isWord(i, "almost") || isWord(i, "just") || isWord(i, "nearly")
                        || isWord(i, "some"), spaced(i, i + 1) else { return false }
                i += 1
            }
            if i < tokens.count, tokens[i].kind == .number {
                guard spaced(i, i + 1), isWord(i + 1, "kilometres") || isWord(i + 1, "km") || isWord(i + 1, "miles")
                        || isWord(i + 1, "kilometers") || isWord(i + 1, "metres"), spaced(i + 1, i + 2) else { return false }
                i += 2
            }
            guard isWord(i, "north") || isWord(i, "south") || isWord(i, "east") || isWord(i, "west") || isWord(i, "northeast")
                    || isWord(i, "northwest") || isWord(i, "southeast") || isWord(i, "southwest") else { return false }
            // "north-east": the hyphen and the second part, touching.
            if isPunct(i + 1, 0x2D), touching(i, i + 1), touching(i + 1, i + 2), isWord(i + 2, "east") || isWord(i + 2, "west") { i += 2 }
            return spaced(i, i + 1) && isWord(i + 1, "of") && spaced(i + 1, i + 2) && isCapitalised(i + 2)
        }

        /// Token i is the word w (bytes compared, no String made).
        func isWord(_ i: Int, _ w: StaticString) -> Bool {
            guard i >= 0, i < tokens.count, tokens[i].end - tokens[i].start == w.utf8CodeUnitCount else { return false }
            let p = w.utf8Start
            var k = 0, t = tokens[i].start
            while k < w.utf8CodeUnitCount {
                if text[t] != p[k] { return false }
                k += 1
                t += 1
            }
            return true
        }

        /// Rule 6: "Chief Executive", "Chairman", "Chairwoman" at element t of a sequence.
        func corporateTitle(_ seg: Elements, at t: Int) -> Bool {
            let i = seg[t].first
            if isWord(i, "Chairman") || isWord(i, "Chairwoman") { return true }
            return isWord(i, "Chief") && t + 1 < seg.endIndex && seg[t + 1].kind == .word && isWord(seg[t + 1].first, "Executive")
        }

        /// Rule 6: "chief executive", "chairman", "chairwoman", "managing director" right after token j.
        func corporateTitleFollows(_ j: Int) -> Bool {
            guard spaced(j, j + 1), text[tokens[j + 1].start] == 0x63 || text[tokens[j + 1].start] == 0x6D else { return false }
            if isWord(j + 1, "chairman") || isWord(j + 1, "chairwoman") { return true }
            guard spaced(j + 1, j + 2) else { return false }
            return isWord(j + 1, "chief") ? isWord(j + 2, "executive") : isWord(j + 1, "managing") && isWord(j + 2, "director")
        }

        /// Rule 6: one plain capitalised word inside a sentence that no list knows as a name part.
        func organisationBeforeTitle(_ e: Element) -> Bool {
            e.kind == .word && e.last == e.first && e.flags.isDisjoint(with: [.given, .ambiguousGiven, .surname, .stop, .title, .numeral])
                && !isHead(e) && !places.contains(e.first) && !sentenceStart(e.first)
                && !NameFinder.titleModifiers.contains(word(e.first))
        }

        /// Rule 9: the number's token when `e` and the number after it are one name ("stop
        /// Bumblebee 5"), nil otherwise.
        func numberedName(_ e: Element) -> Int? {
            let n = e.last + 1
            // The rare condition first: a bare CARDINAL of the pattern stage right after the word.
            guard cardinals.contains(n), e.kind == .word, e.last == e.first, spaced(e.last, n), tokens[n].kind == .number,
                  tokens[n].end - tokens[n].start <= 3, e.first > 0, spaced(e.first - 1, e.first), tokens[e.first - 1].kind == .word,
                  text[tokens[e.first - 1].start] &- 0x61 < 26, nameLike(e),
                  e.flags.isDisjoint(with: [.given, .ambiguousGiven, .surname, .ambiguousSurname, .stop, .title, .numeral]),
                  !isHead(e), !places.contains(e.first), !organisations.contains(e.first), !documentSurname(e),
                  !lexicon.isDictionaryName(bytes(e.start, e.end), hash: e.hash != 0 ? e.hash : Lexicon.hash(bytes(e.start, e.end))) else { return nil }
            // Not the last word of a longer capitalised name elsewhere ("Ricky Ponting").
            let count = e.end - e.start
            for k in 1..<tokens.count where k != e.first && tokens[k].end - tokens[k].start == count && text[tokens[k].start] == text[e.start] {
                if sameBytes(tokens[k].start, e.start, count), spaced(k - 1, k), isCapitalised(k - 1) { return nil }
            }
            return n
        }

        /// A known surname, or a hyphenated one whose first part is known ("Sanchez-Vicario").
        func hasSurname(_ e: Element) -> Bool {
            if e.flags.contains(.surname) { return true }
            guard e.last > e.first else { return false }
            return lexicon.flags(bytes(tokens[e.first].start, tokens[e.first].end)).contains(.surname)
        }

        /// A word of three letters or more, capitalised, not all capitals ("Lleyton", not "NSW").
        func nameLike(_ e: Element) -> Bool {
            guard e.kind == .word, e.end - e.start >= 3 else { return false }
            return text[tokens[e.first].start + 1..<tokens[e.first].end].contains { $0 >= 0x61 && $0 <= 0x7A }
        }

        /// Rule 5, a name no list gives: exactly two words inside a sentence, the second a known
        /// surname ("world number one Lleyton Hewitt", "Arantxa Sanchez-Vicario"); neither a
        /// place, a title, a stop word, a head or a numeral, and no capitalised word before.
        /// A surname the document gives after a title ("Mr Erakat") counts as known, and then
        /// the pair may also open a sentence or end in a place ("Saeb Erakat", "Nanti Hayward");
        /// so does a second word that stands alone elsewhere in the document, inside a sentence
        /// and not after "the", "a", "an" ("Makhaya Ntini" ... "and Ntini was out"; not "the
        /// Federal Government" ... "the Government's").
        func surnamePair(_ seg: Elements) -> Bool {
            guard seg.count == 2 else { return false }
            let x = seg[seg.startIndex], y = seg[seg.startIndex + 1]
            let excluded: WordFlags = [.stop, .title, .numeral, .given, .ambiguousGiven]
            let attested = documentSurname(y)
            guard nameLike(x), nameLike(y), x.flags.isDisjoint(with: excluded), !organisations.contains(x.first),
                  y.flags.isDisjoint(with: [.stop, .title, .numeral]), attested || !y.flags.contains(.ambiguousSurname),
                  !isHead(x), !isHead(y), !places.contains(x.first), attested || !places.contains(y.first),
                  attested || !sentenceStart(x.first) else { return false }
            if x.first > 0, isCapitalised(x.first - 1) { return false }
            // After a preposition of place or time it is a place or a day: "at Swan Hill",
            // "celebrated as Evacuation Day".
            if afterPlacePreposition(x.first) { return false }
            return attested || hasSurname(y) || !organisations.contains(y.first) && !afterDeterminer(x.first) && recurs(y)
        }

        /// Rule 7: a region word, one space, then a GPE or LOC of another stage that does not
        /// start at the region word itself.
        func regions() {
            guard !areas.isEmpty else { return }
            // In text order, the longest first at each start; no hashing per token.
            areas.sort { $0.start < $1.start || ($0.start == $1.start && $0.end > $1.end) }
            var k = 0
            var previousStart = -1
            while k < areas.count {
                let (start, end) = areas[k]
                var n = k + 1
                while n < areas.count, areas[n].start == start { n += 1 }
                let i = start - 1
                if start > 0, previousStart != i, spaced(i, start), isCapitalised(i),
                   let label = NameFinder.regionWords[String(decoding: text[tokens[i].start..<tokens[i].end], as: UTF8.self)] {
                    emit(i, end - 1, label, "region")
                }
                previousStart = start
                k = n
            }
        }

        func emit(_ firstToken: Int, _ lastToken: Int, _ label: String, _ name: String, kbId: String = "") {
            var s = Span(matchStart: tokens[firstToken].start, matchEnd: tokens[lastToken].end, label: label,
                         kbId: kbId, source: .names, name: name, priority: -1)
            s.firstToken = firstToken
            s.endToken = lastToken + 1
            out.append(s)
        }
    }
}

/// A set of token indices of one document, as one bit per token: membership without hashing.
///
/// ```swift
/// var places = TokenSet(count: 10)
/// places.insert(3)
/// places.contains(3)   // true; places.contains(11) is false
/// ```
struct TokenSet {
    private var words: [UInt64]

    init(count: Int = 0) { words = [UInt64](repeating: 0, count: (count + 63) / 64) }

    /// Empties the set and sizes it for `count` tokens, keeping its storage.
    mutating func reset(count: Int) {
        words.removeAll(keepingCapacity: true)
        words.append(contentsOf: repeatElement(0, count: (count + 63) / 64))
    }

    mutating func insert(_ i: Int) {
        guard i >= 0, i / 64 < words.count else { return }
        words[i / 64] |= 1 << UInt64(i % 64)
    }

    func contains(_ i: Int) -> Bool {
        guard i >= 0, i / 64 < words.count else { return false }
        return words[i / 64] & (1 << UInt64(i % 64)) != 0
    }
}

/// Growable storage of ``NameFinder/Element``s that keeps its memory from name to name: the
/// elements of the name being read, given to the rules as an `UnsafeBufferPointer` slice (an
/// array's slice would be retained and released at every rule it passes through).
///
/// Invariants: `count <= capacity`; the first `count` elements are initialised (elements are
/// plain values, so none needs deinitialising). ``all`` is valid until the next ``append(_:)``
/// (which may move the storage) and while the buffer lives.
///
/// ```swift
/// let buffer = ElementBuffer()
/// buffer.append(element)
/// buffer.all.count   // 1; buffer.removeAll() keeps the memory
/// ```
final class ElementBuffer {
    private var base: UnsafeMutablePointer<NameFinder.Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The elements appended since the last ``removeAll()``.
    var all: UnsafeBufferPointer<NameFinder.Element> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    func append(_ e: NameFinder.Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: e)
        count += 1
    }

    /// Doubles the capacity, keeping the elements.
    @inline(never)
    private func grow() {
        let grown = UnsafeMutablePointer<NameFinder.Element>.allocate(capacity: 2 * capacity)
        grown.moveInitialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity *= 2
    }

    /// Empties the buffer, keeping its memory.
    func removeAll() { count = 0 }
}

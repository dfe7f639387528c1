import GleanCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// In-document propagation, run once after resolution: what a document has named in full
/// labels its later short mentions.
///
/// - A PERSON of two tokens or more ("Winston Churchill") makes a later capitalised token equal
///   to its last word ("Churchill") that PERSON, whether no entity covers it or a one-token
///   entity of another label (GPE, LOC, ORG, NORP, FAC) does ("Churchill" the town). Where
///   the words right before that token (one space apart, no entity on them) are the full name's
///   words before its last, the mention takes them too: "bin Laden" and "Bin Laden" after
///   "Osama bin Laden", "Nantie Haywood" again after "Nantie Haywood" (the first letter's case
///   aside).
/// - A PERSON of two tokens or more that the names stage found by its given name
///   ("Arnaud Clement", rule `person:given`; "Osama bin Laden", rule `person:particle`; not an
///   ambiguous given name such as "Mark") makes a
///   later capitalised token equal to its first word ("Arnaud") that PERSON, where no entity
///   covers it and no capitalised word follows it.
/// - A PERSON of two tokens or more named after an e-mail address in a header (`jdoe@x.com (Jane
///   Doe)`, pattern `person-after-address`) makes a later capitalised token equal to its first
///   word that PERSON where no capitalised word follows it, replacing a one-token entity of
///   another label as a surname does: the writer signs with the given name ("Jane").
/// - A PERSON of one token found after a title or role word ("President Musharraf", patterns
///   `person-title`, `person-cue`) labels a later equal token as a surname does.
/// - An ORG of one token found before a corporate title ("Qantas Chief Executive", rule
///   `org:title`) makes every equal capitalised token of the document that ORG, before or after,
///   where no entity covers it.
/// - An ORG of two tokens whose second is a corporate form ("Phillips Petroleum", "Virgin
///   Group", ``corporateForms``) makes a later capitalised token equal to its first word
///   ("Phillips") that ORG, where no entity covers it and no capitalised word follows it.
/// - A long form followed by its acronym in parentheses ("Institute for the Study of War
///   (ISW)") makes the acronym, there and later, an entity of the long form's label with its
///   kb_id.
///
/// New and replacing entities are also kept in the span group `propagation` (source
/// `propagation`); `entities` stays sorted and non-overlapping.
///
/// ```swift
/// // entities: PERSON "Winston Churchill", GPE "Churchill" (later)
/// Propagation.apply(&doc)
/// // entities: PERSON "Winston Churchill", PERSON "Churchill"
/// ```
public enum Propagation {
    public static let group = "propagation"
    static let replaceable: Set<String> = ["GPE", "LOC", "ORG", "NORP", "FAC", "PRODUCT", "WORK_OF_ART"]
    /// The second words of a company's name after which its first word names it alone: "Phillips
    /// Petroleum" ... "Phillips".
    static let corporateForms: [StaticString] = ["Petroleum", "Airlines", "Airways", "Group", "Holdings", "Corporation", "Company",
                                                 "Limited", "Ltd", "Inc"]

    struct Origin {
        var label: String
        var kbId: String
        var from: Int   // first token after the defining mention
        var rule: String
        /// Only where no entity covers the token and no capitalised word follows it.
        var fillOnly = false
        /// Only where no capitalised word follows the token (an entity on it may give way).
        var alone = false
        /// The tokens of the full name before the token it defines ("Osama", "bin" of "Osama bin
        /// Laden"): a mention preceded by their last ones takes them. Token indices, so that
        /// defining allocates nothing.
        var leadStart = 0
        var leadCount = 0
    }

    public static func apply(_ document: inout Document) {
        let tokens = document.tokens
        guard !document.entities.isEmpty, !tokens.isEmpty else { return }
        let text = document.text
        let (added, removed) = text.withUnsafeBufferPointer { text in
            tokens.withUnsafeBufferPointer { tokens in
                mentions(text: text, tokens: tokens, entities: document.entities)
            }
        }
        guard !added.isEmpty else { return }
        merge(&document.entities, removing: removed, adding: added)
        document[group: group] = added
    }

    /// The entities propagation adds (sorted by token) and the indices of those they replace
    /// (ascending), for a document's text, tokens and sorted, disjoint entities.
    private static func mentions(text: UnsafeBufferPointer<UInt8>, tokens: UnsafeBufferPointer<Token>,
                                 entities: [Span]) -> (added: [Span], removed: [Int]) {
        func isPunct(_ i: Int, _ c: UInt8) -> Bool {
            i < tokens.count && tokens[i].end - tokens[i].start == 1 && text[tokens[i].start] == c
        }
        func capitalised(_ i: Int) -> Bool {
            tokens[i].kind == .word && text[tokens[i].start] >= 0x41 && text[tokens[i].start] <= 0x5A
        }
        func length(_ i: Int) -> Int { tokens[i].end - tokens[i].start }
        func string(_ i: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: text[tokens[i].start..<tokens[i].end]), as: UTF8.self) }
        func isCorporateForm(_ i: Int) -> Bool {
            let n = length(i)
            return corporateForms.contains { form in
                form.utf8CodeUnitCount == n && memcmp(text.baseAddress! + tokens[i].start, form.utf8Start, n) == 0
            }
        }
        func isRomanNumeral(_ i: Int) -> Bool {
            NameFinder.isRomanNumeral(UnsafeBufferPointer(rebasing: text[tokens[i].start..<tokens[i].end]))
        }

        // What each mention defines, keyed by the bytes of the token it labels later.
        var defined = DefinedWords(text: text, expected: entities.count)
        // The entities are read in place (a copy of each would retain and release its strings).
        entities.withUnsafeBufferPointer { es in
            for k in es.indices {
                let n = es[k].endToken - es[k].firstToken
                let firstToken = es[k].firstToken
                let isPerson = es[k].label == "PERSON"
                if n == 1, es[k].source == .pattern, isPerson, length(firstToken) > 1, capitalised(firstToken),
                   es[k].name == "person-title" || es[k].name == "person-cue" {
                    defined.define(tokens[firstToken], Origin(label: "PERSON", kbId: es[k].kbId, from: es[k].endToken, rule: "propagation:surname"), replacing: false)
                }
                if n == 1, es[k].source == .names, es[k].label == "ORG", es[k].name == "org:title" {
                    defined.define(tokens[firstToken], Origin(label: "ORG", kbId: es[k].kbId, from: 0, rule: "propagation:organisation", fillOnly: true),
                                   replacing: false)
                }
                if n == 2, length(firstToken) > 1, capitalised(firstToken), isCorporateForm(firstToken + 1), es[k].label == "ORG" {
                    defined.define(tokens[firstToken], Origin(label: "ORG", kbId: es[k].kbId, from: es[k].endToken, rule: "propagation:company",
                                                              fillOnly: true), replacing: false)
                }
                if isPerson, n >= 2 {
                    let last = es[k].endToken - 1
                    if length(last) > 1, capitalised(last), !isRomanNumeral(last) {
                        defined.define(tokens[last], Origin(label: "PERSON", kbId: es[k].kbId, from: es[k].endToken, rule: "propagation:surname",
                                                            leadStart: firstToken, leadCount: last - firstToken), replacing: false)
                    }
                    if es[k].source == .names, length(firstToken) > 1, es[k].name == "person:given" || es[k].name == "person:particle" {
                        defined.define(tokens[firstToken], Origin(label: "PERSON", kbId: es[k].kbId, from: es[k].endToken, rule: "propagation:given", fillOnly: true),
                                       replacing: false)
                    }
                    // The writer named after an address in a header signs with the given name.
                    if es[k].source == .pattern, es[k].name == "person-after-address", length(firstToken) > 1, capitalised(firstToken),
                       tokens[firstToken].end == tokens[firstToken + 1].start - 1 {
                        defined.define(tokens[firstToken], Origin(label: "PERSON", kbId: es[k].kbId, from: es[k].endToken, rule: "propagation:given", alone: true),
                                       replacing: false)
                    }
                }
                // "Institute for the Study of War (ISW)"
                if n >= 2, !isPerson, es[k].endToken + 2 < tokens.count, isPunct(es[k].endToken, 0x28), isPunct(es[k].endToken + 2, 0x29) {
                    let a = es[k].endToken + 1
                    let acronym = string(a)
                    let initials = String((firstToken..<es[k].endToken).filter(capitalised).map { Character(Unicode.Scalar(text[tokens[$0].start])) })
                    if acronym.count >= 2, acronym == acronym.uppercased(), acronym == initials {
                        defined.define(tokens[a], Origin(label: es[k].label, kbId: es[k].kbId, from: a, rule: "propagation:acronym"), replacing: true)
                    }
                }
            }
        }
        guard !defined.isEmpty else { return ([], []) }

        // Which entity covers each token: the entities are sorted and disjoint, so a cursor
        // that follows the tokens finds it (no table per token).
        var added: [Span] = []
        var removed: [Int] = []
        var cursor = 0
        let count = entities.count
        /// Equal bytes, the first one's ASCII case aside ("Bin" and "bin").
        func sameWord(_ a: Int, _ b: Int) -> Bool {
            let n = length(a)
            guard n > 0, n == length(b), text[tokens[a].start] | 0x20 == text[tokens[b].start] | 0x20 else { return false }
            return n == 1 || memcmp(text.baseAddress! + tokens[a].start + 1, text.baseAddress! + tokens[b].start + 1, n - 1) == 0
        }
        for i in tokens.indices where capitalised(i) {
            guard let origin = defined.lookup(tokens[i]), i >= origin.from else { continue }
            while cursor < count && entities[cursor].endToken <= i { cursor += 1 }
            let k = cursor < count && entities[cursor].firstToken <= i ? cursor : -1
            // How many of the full name's words before its last come right before the mention,
            // one space apart and under no entity (the entity before the cursor ends last).
            var first = i
            var j = origin.leadCount - 1
            while j >= 0, first > 0, tokens[first - 1].end + 1 == tokens[first].start, text[tokens[first - 1].end] == 0x20,
                  sameWord(first - 1, origin.leadStart + j),
                  cursor == 0 || entities[cursor - 1].endToken <= first - 1 {
                first -= 1
                j -= 1
            }
            if origin.fillOnly || origin.alone {
                let next = i + 1
                let followed = next < tokens.count && capitalised(next) && tokens[next].start == tokens[i].end + 1
                if origin.fillOnly && k >= 0 || followed { continue }
            }
            if k >= 0 {
                // A one-token entity of the same label gives way only to the longer mention.
                guard entities[k].endToken - entities[k].firstToken == 1,
                      entities[k].label != origin.label ? replaceable.contains(entities[k].label) : first < i else { continue }
                removed.append(k)
            }
            var s = Span(matchStart: tokens[first].start, matchEnd: tokens[i].end, label: origin.label, kbId: origin.kbId,
                         source: .propagation, name: origin.rule, priority: 0)
            s.firstToken = first
            s.endToken = i + 1
            added.append(s)
        }
        return (added, removed)
    }

    /// The words that a document's mentions define, each by its bytes in the text, with what it
    /// defines: an open-addressing table of entry indices under the words' hashes (no String,
    /// no dictionary bucket per word). Before any hash, the lengths of the words defined with
    /// each first byte (up to 63; bytes of equal low six bits share a mask, so the ASCII capitals
    /// have one each) turn away most capitalised tokens, which are defined by nothing. The
    /// table is allocated at the first definition, for `expected` words.
    ///
    /// ```swift
    /// var words = DefinedWords(text: text)
    /// words.define(token, origin, replacing: false)   // the first definition of a word stays
    /// words.lookup(laterToken)                        // origin, where its bytes are the same
    /// ```
    struct DefinedWords {
        struct Entry {
            var start: Int
            var count: Int
            var hash: UInt64
            var origin: Origin
        }
        let text: UnsafeBufferPointer<UInt8>
        private var entries: [Entry] = []
        /// Entry indices, -1 for an empty slot; a power of two in size, at most half full.
        private var slots: [Int32] = []
        /// By the first byte's low six bits, a bit per length (64 words, or none before the
        /// first definition).
        private var lengths: [UInt64] = []
        private let expected: Int

        init(text: UnsafeBufferPointer<UInt8>, expected: Int = 0) {
            self.text = text
            self.expected = expected
        }

        var isEmpty: Bool { entries.isEmpty }

        private static func lengthBit(_ count: Int) -> UInt64 { UInt64(1) << UInt64(min(count, 63)) }

        private func hash(_ start: Int, _ count: Int) -> UInt64 {
            Lexicon.hash(UnsafeBufferPointer(rebasing: text[start..<start + count]))
        }

        /// The slot of the entry for these bytes, or of the empty slot where it would go.
        private func slot(_ start: Int, _ count: Int, hash: UInt64) -> Int {
            let mask = slots.count - 1
            var s = Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
            while true {
                let e = Int(slots[s])
                if e < 0 { return s }
                if entries[e].hash == hash, entries[e].count == count,
                   memcmp(text.baseAddress! + entries[e].start, text.baseAddress! + start, count) == 0 { return s }
                s = (s + 1) & mask
            }
        }

        /// Defines the word of `token` (not empty); an existing definition stays unless `replacing`.
        mutating func define(_ token: Token, _ origin: Origin, replacing: Bool) {
            let start = token.start, count = token.end - token.start
            guard count > 0 else { return }
            if slots.isEmpty {
                lengths = [UInt64](repeating: 0, count: 64)
                entries.reserveCapacity(expected)
                var size = 16
                while size < 2 * expected { size *= 2 }
                slots = [Int32](repeating: -1, count: size)
            }
            lengths[Int(text[start] & 63)] |= Self.lengthBit(count)
            if 2 * (entries.count + 1) > slots.count { grow() }
            let h = hash(start, count)
            let s = slot(start, count, hash: h)
            let e = Int(slots[s])
            if e >= 0 {
                if replacing { entries[e].origin = origin }
                return
            }
            slots[s] = Int32(truncatingIfNeeded: entries.count)
            entries.append(Entry(start: start, count: count, hash: h, origin: origin))
        }

        /// What the word of `token` was defined as, nil if nothing.
        func lookup(_ token: Token) -> Origin? {
            let start = token.start, count = token.end - token.start
            guard count > 0, !slots.isEmpty, lengths[Int(text[start] & 63)] & Self.lengthBit(count) != 0 else { return nil }
            let e = Int(slots[slot(start, count, hash: hash(start, count))])
            return e >= 0 ? entries[e].origin : nil
        }

        private mutating func grow() {
            slots = [Int32](repeating: -1, count: max(16, slots.count * 2))
            for k in entries.indices {
                let s = slot(entries[k].start, entries[k].count, hash: entries[k].hash)
                slots[s] = Int32(truncatingIfNeeded: k)
            }
        }
    }

    /// Removes the indices `removed` (ascending) from `out` and merges in `added` (sorted by
    /// token, each on tokens no kept entity covers) by first token, in place: a large
    /// document's entities are neither copied nor sorted with a buffer of their size.
    static func merge(_ out: inout [Span], removing removed: [Int], adding added: [Span]) {
        // Remove, front to back.
        var kept = 0
        var r = 0
        for k in out.indices {
            if r < removed.count && removed[r] == k { r += 1; continue }
            // A swap moves the span (no copy retains its strings); the removed ones end past `kept`.
            if kept != k { out.swapAt(kept, k) }
            kept += 1
        }
        out.removeLast(out.count - kept)
        // Merge from the back into the grown array.
        let oldCount = out.count
        out.append(contentsOf: added)
        var i = oldCount - 1
        var j = added.count - 1
        var w = out.count - 1
        while j >= 0 {
            if i >= 0 && out[i].firstToken > added[j].firstToken {
                out[w] = out[i]
                i -= 1
            } else {
                out[w] = added[j]
                j -= 1
            }
            w -= 1
        }
    }
}

import GleanCore

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
/// - A PERSON of one token found after a title or role word ("President Musharraf", patterns
///   `person-title`, `person-cue`) labels a later equal token as a surname does.
/// - An ORG of one token found before a corporate title ("Qantas Chief Executive", rule
///   `org:title`) makes every equal capitalised token of the document that ORG, before or after,
///   where no entity covers it.
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

    struct Origin {
        var label: String
        var kbId: String
        var from: Int   // first token after the defining mention
        var rule: String
        /// Only where no entity covers the token and no capitalised word follows it.
        var fillOnly = false
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
        func string(_ i: Int) -> String { String(decoding: text[tokens[i].start..<tokens[i].end], as: UTF8.self) }
        func isPunct(_ i: Int, _ c: UInt8) -> Bool {
            i < tokens.count && tokens[i].end - tokens[i].start == 1 && text[tokens[i].start] == c
        }
        func capitalised(_ i: Int) -> Bool {
            tokens[i].kind == .word && text[tokens[i].start] >= 0x41 && text[tokens[i].start] <= 0x5A
        }

        // What each mention defines, keyed by the bytes of the token it labels later (hashed,
        // then compared: no String per token).
        var keys: [UInt64: [(bytes: ArraySlice<UInt8>, origin: Origin)]] = [:]
        // The lengths (up to 63) of the words defined, by first byte: most capitalised tokens
        // are defined by nothing, and this says so without hashing them.
        var lengths = [UInt64](repeating: 0, count: 256)
        func lengthBit(_ b: ArraySlice<UInt8>) -> UInt64 { UInt64(1) << UInt64(min(b.count, 63)) }
        func bytes(_ i: Int) -> ArraySlice<UInt8> { text[tokens[i].start..<tokens[i].end] }
        func lookup(_ b: ArraySlice<UInt8>) -> Origin? {
            guard let head = b.first, lengths[Int(head)] & lengthBit(b) != 0 else { return nil }
            return keys[Lexicon.hash(b)]?.first { $0.bytes.elementsEqual(b) }?.origin
        }
        func define(_ b: ArraySlice<UInt8>, _ origin: Origin, replacing: Bool) {
            if let head = b.first { lengths[Int(head)] |= lengthBit(b) }
            let h = Lexicon.hash(b)
            var bucket = keys[h] ?? []
            if let i = bucket.firstIndex(where: { $0.bytes.elementsEqual(b) }) {
                if replacing { bucket[i].origin = origin }
            } else {
                bucket.append((b, origin))
            }
            keys[h] = bucket
        }
        // The entities are read in place (a copy of each would retain and release its strings).
        document.entities.withUnsafeBufferPointer { es in
            for k in es.indices {
                let n = es[k].endToken - es[k].firstToken
                if es[k].label == "PERSON", n == 1, es[k].source == .pattern, es[k].name == "person-title" || es[k].name == "person-cue",
                   tokens[es[k].firstToken].end - tokens[es[k].firstToken].start > 1, capitalised(es[k].firstToken) {
                    define(bytes(es[k].firstToken), Origin(label: "PERSON", kbId: es[k].kbId, from: es[k].endToken, rule: "propagation:surname"), replacing: false)
                }
                if es[k].label == "ORG", n == 1, es[k].source == .names, es[k].name == "org:title" {
                    define(bytes(es[k].firstToken), Origin(label: "ORG", kbId: es[k].kbId, from: 0, rule: "propagation:organisation", fillOnly: true),
                           replacing: false)
                }
                if es[k].label == "PERSON", n >= 2 {
                    let last = es[k].endToken - 1
                    let word = string(last)
                    if word.utf8.count > 1, capitalised(last), !NameFinder.romanNumerals.contains(word) {
                        define(bytes(last), Origin(label: "PERSON", kbId: es[k].kbId, from: es[k].endToken, rule: "propagation:surname",
                                                   leadStart: es[k].firstToken, leadCount: last - es[k].firstToken), replacing: false)
                    }
                    if es[k].source == .names, es[k].name == "person:given" || es[k].name == "person:particle",
                       tokens[es[k].firstToken].end - tokens[es[k].firstToken].start > 1 {
                        define(bytes(es[k].firstToken), Origin(label: "PERSON", kbId: es[k].kbId, from: es[k].endToken, rule: "propagation:given", fillOnly: true),
                               replacing: false)
                    }
                }
                // "Institute for the Study of War (ISW)"
                if n >= 2, es[k].label != "PERSON", es[k].endToken + 2 < tokens.count, isPunct(es[k].endToken, 0x28), isPunct(es[k].endToken + 2, 0x29) {
                    let a = es[k].endToken + 1
                    let acronym = string(a)
                    let initials = String((es[k].firstToken..<es[k].endToken).filter(capitalised).map { Character(Unicode.Scalar(text[tokens[$0].start])) })
                    if acronym.count >= 2, acronym == acronym.uppercased(), acronym == initials {
                        define(bytes(a), Origin(label: es[k].label, kbId: es[k].kbId, from: a, rule: "propagation:acronym"), replacing: true)
                    }
                }
            }
        }
        guard !keys.isEmpty else { return }

        // Which entity covers each token: the entities are sorted and disjoint, so a cursor
        // that follows the tokens finds it (no table per token).
        var added: [Span] = []
        var removed: [Int] = []
        var cursor = 0
        let count = document.entities.count
        /// Equal bytes, the first one's ASCII case aside ("Bin" and "bin").
        func sameWord(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
            guard let x = a.first, let y = b.first, a.count == b.count, x | 0x20 == y | 0x20 else { return false }
            return a.dropFirst().elementsEqual(b.dropFirst())
        }
        for i in tokens.indices where capitalised(i) {
            guard let origin = lookup(bytes(i)), i >= origin.from else { continue }
            while cursor < count && document.entities[cursor].endToken <= i { cursor += 1 }
            let k = cursor < count && document.entities[cursor].firstToken <= i ? cursor : -1
            // How many of the full name's words before its last come right before the mention,
            // one space apart and under no entity (the entity before the cursor ends last).
            var first = i
            var j = origin.leadCount - 1
            while j >= 0, first > 0, tokens[first - 1].end + 1 == tokens[first].start, text[tokens[first - 1].end] == 0x20,
                  sameWord(bytes(first - 1), bytes(origin.leadStart + j)),
                  cursor == 0 || document.entities[cursor - 1].endToken <= first - 1 {
                first -= 1
                j -= 1
            }
            if origin.fillOnly {
                let next = i + 1
                let followed = next < tokens.count && capitalised(next) && tokens[next].start == tokens[i].end + 1
                if k >= 0 || followed { continue }
            }
            if k >= 0 {
                let e = document.entities[k]
                // A one-token entity of the same label gives way only to the longer mention.
                guard e.endToken - e.firstToken == 1,
                      e.label != origin.label ? replaceable.contains(e.label) : first < i else { continue }
                removed.append(k)
            }
            var s = Span(matchStart: tokens[first].start, matchEnd: tokens[i].end, label: origin.label, kbId: origin.kbId,
                         source: .propagation, name: origin.rule, priority: 0)
            s.firstToken = first
            s.endToken = i + 1
            added.append(s)
        }
        guard !added.isEmpty else { return }
        merge(&document.entities, removing: removed, adding: added)
        document[group: group] = added
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
            if kept != k { out[kept] = out[k] }
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

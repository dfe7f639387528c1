import CPCRE2
#if canImport(Glibc)
import Glibc
#endif

/// Where matches of one pattern can start, worked out once when the set is compiled.
///
/// - `bytes`: the first byte of every match is in `first` (PCRE2's own analysis of the compiled
///   pattern, `PCRE2_INFO_FIRSTBITMAP` / `FIRSTCODEUNIT`, less UTF-8 continuation bytes), and
///   where the regex begins with `\b` or with one-character negative lookbehinds
///   (`(?<![\w.,])`), a position whose previous byte is one that the regex rules out is not a
///   start either (`excluded`, applied to every candidate or, for `\b`, only to ASCII word
///   characters).
/// - `words`: the pattern declares `start_words`: every match starts at a run of ASCII letters
///   (not preceded by one) that is one of these words; runs are looked up in a hash of words.
/// - `scan`: nothing is known (or the regex uses `\G` or backtracking verbs, whose meaning
///   depends on where a search starts): PCRE2's plain global matching.
///
/// For `bytes` and `words` the set runs PCRE2 anchored (`PCRE2_ANCHORED`) at each candidate
/// position at or after the end of the previous match, which gives exactly the matches of plain
/// global matching (leftmost, non-overlapping), since no match can start elsewhere.
struct StartAnalysis: Sendable {
    enum Kind: Sendable { case scan, bytes, words, before }
    var kind: Kind = .scan
    var first = ByteSet()
    var excluded = ByteSet()
    /// The exclusion applies only where the candidate byte is an ASCII word character (`\b`).
    var excludedOnlyBeforeWordCharacter = false
    var words: [[UInt8]] = []
    /// For `words`: the match starts right after the word and one space (`start_after_words`).
    var afterWords = false
    /// For `before` (`start_before_words`): `words` are found first, and the pattern is tried at
    /// the positions that pass `first`/`excluded` inside the run of at most `within` words
    /// (each followed by one space) right before each of them.
    var within = 0

    static let asciiWord: ByteSet = {
        var s = ByteSet()
        for b in UInt8(0x30)...0x39 { s.insert(b) }
        for b in UInt8(0x41)...0x5A { s.insert(b); s.insert(b + 0x20) }
        s.insert(0x5F)
        return s
    }()

    init() {}

    init(regex: String, code: PCRE2Code, startWords: [String], startAfterWords: [String] = [],
         startBeforeWords: [String] = [], startBeforeWithin: Int = 6) {
        if Self.holds(regex, 0x5C, 0x47) || Self.holds(regex, 0x28, 0x2A) { return }  // "\\G", "(*"
        if !startWords.isEmpty {
            kind = .words
            words = startWords.map { Array($0.utf8) }
            return
        }
        if !startAfterWords.isEmpty {
            kind = .words
            afterWords = true
            words = startAfterWords.map { Array($0.utf8) }
            return
        }
        if !startBeforeWords.isEmpty {
            words = startBeforeWords.map { Array($0.utf8) }
            within = startBeforeWithin
            if code.firstBytes == nil {
                kind = .before
                for b in 0..<256 where !(0x80...0xBF).contains(b) { first.insert(UInt8(b)) }
                return
            }
        }
        guard var first = code.firstBytes else { return }
        for b in UInt8(0x80)...0xBF where first.contains(b) { first.remove(b) }
        self.first = first
        kind = .bytes
        // Leading assertions on the previous character.
        var rest = Substring(regex)
        if rest.hasPrefix("(?J)") { rest = rest.dropFirst(4) }
        var excluded = ByteSet()
        var wordRule = false
        while true {
            if rest.hasPrefix("\\b") {
                wordRule = true
                rest = rest.dropFirst(2)
                continue
            }
            if rest.hasPrefix("(?<!["), let (cls, after) = Self.charClass(rest.dropFirst(4)), after.hasPrefix(")") {
                excluded.formUnion(cls)
                rest = after.dropFirst()
                continue
            }
            break
        }
        var onlyWord = false
        if wordRule {
            if excluded.isEmpty {
                // \b: no start between two ASCII word characters.
                excluded = Self.asciiWord
                onlyWord = true
            } else if first.isSubset(of: Self.asciiWord) {
                // Every candidate is an ASCII word character: \b rules out a word character before it.
                excluded.formUnion(Self.asciiWord)
            }
        }
        self.excluded = excluded
        excludedOnlyBeforeWordCharacter = onlyWord
        if !startBeforeWords.isEmpty { kind = .before }
    }

    /// Whether `s` holds the two bytes `a b` in a row (memchr finds each `a` over the UTF-8 in
    /// place: the expanded regexes run to kilobytes, and this is asked of each at every start).
    static func holds(_ s: String, _ a: UInt8, _ b: UInt8) -> Bool {
        var s = s
        return s.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            var i = 0
            while i + 1 < bytes.count, let p = memchr(base + i, Int32(a), bytes.count - 1 - i) {
                let at = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                if base[at + 1] == b { return true }
                i = at + 1
            }
            return false
        }
    }

    /// Whether a match may start at `i` by the byte filter (`first`, `excluded`).
    @inline(__always)
    func passes(_ base: UnsafePointer<UInt8>, _ i: Int) -> Bool {
        let b = base[i]
        guard first.contains(b) else { return false }
        let prev = i > 0 ? base[i - 1] : 0x20
        if excluded.contains(prev) && (!excludedOnlyBeforeWordCharacter || Self.asciiWord.contains(b)) { return false }
        return true
    }

    /// The ASCII members of a simple character class `[...]` at the start of `s` (not negated;
    /// literals, ranges, `\w \d \s` and escaped punctuation; non-ASCII members are left out,
    /// which only makes the exclusion smaller) and what follows its `]`; nil if not simple.
    static func charClass(_ s: Substring) -> (ByteSet, Substring)? {
        var bytes = Array(s.utf8)
        guard bytes.first == 0x5B else { return nil }
        bytes.removeFirst()
        if bytes.first == 0x5E { return nil }
        var set = ByteSet()
        var i = 0
        var prevLiteral: UInt8? = nil
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x5D && i > 0 {
                let consumed = i + 2  // '[' ... ']'
                let after = s.utf8.dropFirst(consumed)
                return (set, Substring(after))
            }
            if c == 0x5C {
                guard i + 1 < bytes.count else { return nil }
                let e = bytes[i + 1]
                switch e {
                case 0x77: set.formUnion(asciiWord); prevLiteral = nil  // \w
                case 0x64: for b in UInt8(0x30)...0x39 { set.insert(b) }; prevLiteral = nil  // \d
                case 0x73: for b: UInt8 in [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D] { set.insert(b) }; prevLiteral = nil
                default:
                    guard e < 0x80, !(e >= 0x30 && e <= 0x39), !(e | 0x20 >= 0x61 && e | 0x20 <= 0x7A) else { return nil }
                    set.insert(e); prevLiteral = e
                }
                i += 2
                continue
            }
            if c == 0x2D, let lo = prevLiteral, i + 1 < bytes.count, bytes[i + 1] != 0x5D {
                let hi = bytes[i + 1]
                guard hi < 0x80, hi != 0x5C, hi >= lo else { return nil }
                for b in lo...hi { set.insert(b) }
                prevLiteral = nil
                i += 2
                continue
            }
            if c == 0x5B { return nil }  // POSIX classes and the like
            if c >= 0x80 {
                // A non-ASCII member: skip its bytes (a range from or to it is not simple).
                var j = i + 1
                while j < bytes.count && bytes[j] & 0xC0 == 0x80 { j += 1 }
                if j < bytes.count && bytes[j] == 0x2D && j + 1 < bytes.count && bytes[j + 1] != 0x5D { return nil }
                prevLiteral = nil
                i = j
                continue
            }
            set.insert(c)
            prevLiteral = c
            i += 1
        }
        return nil
    }
}

/// Growable lists of candidate positions, one per filter or word group, reused across documents
/// (the storage of each list only grows).
final class CandidateLists {
    let count: Int
    // Raw storage (constant pointers: no exclusivity checks on the hot path).
    let storage: UnsafeMutablePointer<UnsafeMutablePointer<Int32>>
    let capacity: UnsafeMutablePointer<Int>
    let counts: UnsafeMutablePointer<Int>

    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: max(1, count))
        capacity = .allocate(capacity: max(1, count))
        counts = .allocate(capacity: max(1, count))
        for i in 0..<count {
            (storage + i).initialize(to: .allocate(capacity: 256))
            capacity[i] = 256
            counts[i] = 0
        }
    }

    deinit {
        for i in 0..<count { storage[i].deallocate() }
        storage.deallocate()
        capacity.deallocate()
        counts.deallocate()
    }

    func clear() { counts.update(repeating: 0, count: count) }

    @inline(__always)
    func append(_ list: Int, _ position: Int) {
        let c = counts[list]
        if c == capacity[list] { grow(list) }
        storage[list][c] = Int32(truncatingIfNeeded: position)
        counts[list] = c + 1
    }

    private func grow(_ list: Int) {
        let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: capacity[list] * 2)
        bigger.update(from: storage[list], count: counts[list])
        storage[list].deallocate()
        storage[list] = bigger
        capacity[list] *= 2
    }

    /// Drops the positions at the end of a list that are at or after `position`.
    func truncate(_ list: Int, from position: Int) {
        var c = counts[list]
        while c > 0 && Int(storage[list][c - 1]) >= position { c -= 1 }
        counts[list] = c
    }

    func buffer(_ list: Int) -> UnsafeBufferPointer<Int32> {
        UnsafeBufferPointer(start: storage[list], count: counts[list])
    }
}

/// The compiled plan of a ``PatternSet``: the distinct start filters of its patterns (byte
/// tables for one pass over a document) and the hash of start words.
struct PatternPlan: Sendable {
    /// Per pattern: -1 scan, or the index of its filter (bytes) or word group (words).
    var slot: [Int] = []
    var isWords: [Bool] = []
    /// Per pattern: its word group holds `start_before_words` (the candidates are the windows
    /// before them, ``windows(before:in:analysis:into:)``).
    var windowed: [Bool] = []
    var filterCount = 0
    var wordGroupCount = 0
    /// The most distinct byte filters a plan holds (one bit each in a UInt64 mask), and the most
    /// distinct groups of start words (one bit each in ``StartWordTable/Groups``); a piece past
    /// them is started by scanning.
    static let filterLimit = UInt64.bitWidth
    static let wordGroupLimit = StartWordTable.Groups.bitWidth
    /// Bit f of `startTable[b]`: byte b may start a match of filter f.
    var startTable = [UInt64](repeating: 0, count: 256)
    /// Bit f of `excludeTable[prev]`: a start after byte prev is ruled out for filter f ...
    var excludeTable = [UInt64](repeating: 0, count: 256)
    /// ... where bit f of `excludeAppliesTable[b]` is set for the candidate byte b.
    var excludeAppliesTable = [UInt64](repeating: 0, count: 256)
    /// The start words of every word group, each with its groups' bits.
    var startWords = StartWordTable([:])
    /// Word groups whose matches start after the word and a space.
    var afterGroups: StartWordTable.Groups = 0
    /// Word groups of `start_before_words`: a word counts where a space is before it.
    var beforeGroups: StartWordTable.Groups = 0
    /// Filters that may start at an ASCII letter right after another one.
    var innerLetterFilters: UInt64 = 0
    /// The patterns as bit sets of `pieceWords` words (bit i & 63 of word i >> 6 for pattern
    /// i): those that scan, and those of each filter and of each word group (`pieceWords`
    /// words per filter or group).
    var pieceWords = 0
    var scanPieces: [UInt64] = []
    var filterPieces: [UInt64] = []
    var groupPieces: [UInt64] = []

    init() {}

    init(_ patterns: [CompiledPattern]) {
        var filters: [StartAnalysis] = []
        var groups: [([[UInt8]], Int)] = []
        for p in patterns {
            let a = p.start
            windowed.append(a.kind == .before)
            switch a.kind {
            case .scan:
                slot.append(-1); isWords.append(false)
            case .bytes:
                if let f = filters.firstIndex(where: { $0.first == a.first && $0.excluded == a.excluded && $0.excludedOnlyBeforeWordCharacter == a.excludedOnlyBeforeWordCharacter }) {
                    slot.append(f)
                } else if filters.count < Self.filterLimit {
                    filters.append(a)
                    slot.append(filters.count - 1)
                } else {
                    slot.append(-1)
                }
                isWords.append(false)
            case .words, .before:
                // Sorted, each word once (equal words lie side by side once sorted).
                var ws = a.words.sorted { $0.lexicographicallyPrecedes($1) }
                ws.removeDuplicatesInOrder()
                let mode = a.kind == .before ? 2 : a.afterWords ? 1 : 0
                if let g = groups.firstIndex(where: { $0.0 == ws && $0.1 == mode }) {
                    slot.append(g)
                } else if groups.count < Self.wordGroupLimit {
                    groups.append((ws, mode))
                    slot.append(groups.count - 1)
                } else {
                    slot.append(-1)
                }
                isWords.append(slot.last! >= 0)
            }
        }
        filterCount = filters.count
        wordGroupCount = groups.count
        pieceWords = (patterns.count + 63) / 64
        scanPieces = [UInt64](repeating: 0, count: pieceWords)
        filterPieces = [UInt64](repeating: 0, count: filterCount * pieceWords)
        groupPieces = [UInt64](repeating: 0, count: wordGroupCount * pieceWords)
        for (i, s) in slot.enumerated() {
            let w = i >> 6, bit = UInt64(1) << UInt64(i & 63)
            if s < 0 {
                scanPieces[w] |= bit
            } else if isWords[i] {
                groupPieces[s * pieceWords + w] |= bit
            } else {
                filterPieces[s * pieceWords + w] |= bit
            }
        }
        for (f, a) in filters.enumerated() {
            let bit = UInt64(1) << UInt64(f)
            for b in 0..<256 {
                if a.first.contains(UInt8(b)) { startTable[b] |= bit }
                if a.excluded.contains(UInt8(b)) { excludeTable[b] |= bit }
                if !a.excludedOnlyBeforeWordCharacter || StartAnalysis.asciiWord.contains(UInt8(b)) { excludeAppliesTable[b] |= bit }
            }
            // A letter after a letter: ruled out only if every letter is excluded before it.
            let lettersExcluded = (UInt8(0x41)...0x7A).allSatisfy { !Self.isLetter($0) || a.excluded.contains($0) }
            if !lettersExcluded, (UInt8(0x41)...0x7A).contains(where: { Self.isLetter($0) && a.first.contains($0) }) {
                innerLetterFilters |= bit
            }
        }
        var all: [[UInt8]: StartWordTable.Groups] = [:]
        all.reserveCapacity(groups.reduce(0) { $0 + $1.0.count })
        for (g, (ws, after)) in groups.enumerated() {
            let bit: StartWordTable.Groups = 1 << g
            if after == 1 { afterGroups |= bit }
            if after == 2 { beforeGroups |= bit }
            for w in ws { all[w, default: 0] |= bit }
        }
        startWords = StartWordTable(all)
    }

    /// Fills the candidate lists of a document for the filters in `activeFilters` and the word
    /// groups in `activeGroups` (bit masks): for each filter the positions that pass it, for each
    /// word group the starts of its words (or, for `start_after_words`, the position after the
    /// word and a space).
    func candidates(in text: UnsafeBufferPointer<UInt8>, filters: CandidateLists, words: CandidateLists,
                    activeFilters: UInt64 = ~0, activeGroups: StartWordTable.Groups = ~0) {
        filters.clear()
        words.clear()
        guard let base = text.baseAddress else { return }
        let n = text.count
        let activeFilters = filterCount > 0 ? activeFilters : 0
        let activeGroups = wordGroupCount > 0 ? activeGroups : 0
        // Inside a run of ASCII letters no active filter can start (each rules out a letter before
        // a letter), so a run is looked at once, at its first letter.
        let skipInner = activeFilters & innerLetterFilters == 0
        // Whether no active filter starts at a space: then the space after a word is stepped over
        // with the word (what the loop would do with it on its own).
        let skipSpace = startTable[0x20] & activeFilters == 0
        let words_ = startWords
        let activeGroupsWithWords = words_.isEmpty ? 0 : activeGroups
        startTable.withUnsafeBufferPointer { st in
        excludeTable.withUnsafeBufferPointer { ex in
        excludeAppliesTable.withUnsafeBufferPointer { ap in
            var prev = 0x20
            var i = 0
            while i < n {
                let b = Int(base[i])
                var m = st[b] & activeFilters
                if m != 0 {
                    m &= ~(ex[prev] & ap[b])
                    while m != 0 {
                        filters.append(m.trailingZeroBitCount, i)
                        m &= m &- 1
                    }
                }
                guard Self.isLetter(UInt8(truncatingIfNeeded: b)) else {
                    prev = b
                    i &+= 1
                    continue
                }
                // A run of letters: find its end, then look it up among the start words.
                var j = i &+ 1
                if skipInner {
                    j = Self.letterRunEnd(base, from: j, count: n)
                } else {
                    while j < n {
                        let c = Int(base[j])
                        guard Self.isLetter(UInt8(truncatingIfNeeded: c)) else { break }
                        var m = st[c] & activeFilters
                        if m != 0 {
                            m &= ~(ex[Int(base[j &- 1])] & ap[c])
                            while m != 0 {
                                filters.append(m.trailingZeroBitCount, j)
                                m &= m &- 1
                            }
                        }
                        j &+= 1
                    }
                }
                let len = j &- i
                if activeGroupsWithWords != 0, len <= 32 {
                    var g = words_.groups(of: base + i, count: len, bytesLeft: n &- i) & activeGroupsWithWords
                    while g != 0 {
                        let k = g.trailingZeroBitCount
                        let bit: StartWordTable.Groups = 1 &<< k
                        if beforeGroups & bit != 0 {
                            if i > 0 && base[i &- 1] == 0x20 { words.append(k, i) }
                        } else if afterGroups & bit == 0 {
                            words.append(k, i)
                        } else if j < n && base[j] == 0x20 {
                            words.append(k, j &+ 1)
                        }
                        g &= g &- 1
                    }
                }
                if skipSpace && j < n && base[j] == 0x20 {
                    prev = 0x20
                    i = j &+ 1
                } else {
                    prev = Int(base[j &- 1])
                    i = j
                }
            }
        }}}
    }

    /// The candidates of a `start_before_words` pattern, into list 0 of `out` (cleared first):
    /// for each word at `heads` (a space before it), the positions passing the pattern's byte
    /// filter in the run of at most `within` words right before it, each word a run of bytes that
    /// can be in a name word (ASCII letters, `& - ' .`, non-ASCII bytes) followed by one space.
    /// A match of the pattern is such a run and then the word, so none starts elsewhere.
    static func windows(before heads: UnsafeBufferPointer<Int32>, in text: UnsafeBufferPointer<UInt8>,
                        analysis a: StartAnalysis, into out: CandidateLists) {
        out.clear()
        guard let base = text.baseAddress else { return }
        var emittedUpTo = 0
        for h in heads {
            let q = Int(h)
            guard q >= 2, base[q - 1] == 0x20 else { continue }
            var s = q - 1
            var pos = q - 1  // base[pos] is the space after the word being walked over
            var k = 0
            while k < a.within {
                var j = pos
                while j > 0 && Self.isWordByte(base[j - 1]) { j -= 1 }
                if j == pos { break }
                s = j
                k += 1
                guard j > 0, base[j - 1] == 0x20 else { break }
                pos = j - 1
            }
            let e = q - 1
            if s >= e { continue }
            if s < emittedUpTo {
                // Overlaps what an earlier window gave: redo the union from s.
                out.truncate(0, from: s)
            }
            var i = s
            while i < e {
                if a.passes(base, i) { out.append(0, i) }
                i += 1
            }
            emittedUpTo = e
        }
    }

    /// The end of the run of ASCII letters at `from` (`from` itself if none), eight bytes at a
    /// time: per byte `b`, `b | 0x20` is in `a...z` exactly when adding 0x1F sets its high bit and
    /// adding 0x05 does not (no carry leaves a byte below 0x80, so the lowest non-letter is exact).
    @inline(__always)
    static func letterRunEnd(_ base: UnsafePointer<UInt8>, from: Int, count n: Int) -> Int {
        let high: UInt64 = 0x8080_8080_8080_8080
        var j = from
        while j &+ 8 <= n {
            let x = UInt64(littleEndian: UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self))
            let t = x | 0x2020_2020_2020_2020
            let letters = (t &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(t &+ 0x0505_0505_0505_0505) & ~x & high
            if letters != high { return j &+ ((~letters & high).trailingZeroBitCount >> 3) }
            j &+= 8
        }
        while j < n && isLetter(base[j]) { j &+= 1 }
        return j
    }

    @inline(__always)
    static func isWordByte(_ b: UInt8) -> Bool {
        isLetter(b) || b >= 0x80 || b == 0x26 || b == 0x2D || b == 0x27 || b == 0x2E
    }

    @inline(__always)
    static func isLetter(_ b: UInt8) -> Bool { b | 0x20 >= 0x61 && b | 0x20 <= 0x7A }
}

extension Array where Element: Equatable {
    /// Removes each element equal to the one before it: on a sorted array, every repeat.
    mutating func removeDuplicatesInOrder() {
        guard count > 1 else { return }
        var kept = 1
        for i in 1..<count where self[i] != self[kept - 1] {
            swapAt(i, kept)
            kept += 1
        }
        removeLast(count - kept)
    }
}

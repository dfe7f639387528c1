import CPCRE2
import Foundation
import Synchronization

/// A byte automaton that answers, at a candidate position, "can a match of this pattern start
/// here at all?" before PCRE2 is asked: most candidates of most pieces fail within a few bytes
/// ("12 people" is no percentage, no quantity and no time), and a PCRE2 call costs hundreds of
/// instructions where a step of this automaton costs a handful.
///
/// The automaton accepts a superset of the regex's matches, worked out from the regex source:
/// lookarounds and anchors are left out (they only restrict) except a positive lookahead at the
/// end of the regex, which is read as if the match went on through it ("[0-9]{2}(?=,)" needs the
/// comma), non-ASCII characters are any
/// non-ASCII character where the regex does not spell their bytes, `\w \d \s` under Unicode
/// rules take every non-ASCII character, caseless letters both ASCII cases and any non-ASCII
/// character, and past ``depthLimit`` bytes (counted by the fewest each part of the regex
/// takes) anything is accepted. So a candidate the automaton rejects is one PCRE2 would reject
/// too, and the matches are unchanged. It reads from the candidate until it reaches an
/// accepting state (a match may end here: ask PCRE2), a dead state (no match starts here), the
/// end of the text (no match fits) or ``scanLimit`` bytes (ask PCRE2).
///
/// It is two parts: this nondeterministic automaton, built once per pattern and shared by all
/// threads, and a ``StartDFA`` per thread that works out deterministic states as the text
/// needs them (a pattern's automaton has hundreds of possible states, of which a corpus visits
/// a few dozen).
///
/// A regex with a construct outside the understood subset (back-references, recursion,
/// conditionals, `\Q...\E`, POSIX classes, verbs, `extended` mode) gets no automaton: every
/// candidate goes to PCRE2, as before.
///
/// ```swift
/// let dfa = StartDFA(StartAutomaton(regex: "[0-9]+[ ]?%", options: 0)!)
/// // over "12 people": dfa.mayMatch(base, at: 0, count: 9) == false (dead at "p")
/// // over "12 %":      dfa.mayMatch(base, at: 0, count: 4) == true
/// ```
struct StartAutomaton: Sendable {
    /// The most bytes read at one candidate; past them PCRE2 decides.
    static let scanLimit = 48
    /// The most deterministic states a thread works out per pattern; past them, PCRE2 decides.
    static let stateLimit = 128
    /// The bytes from the start (by the fewest each part takes) that the automaton follows.
    static let depthLimit = 16

    let nfa: ByteNFA
    let accept: Int32
    /// The epsilon closure of the start state.
    let startSet: [Int32]
    let classOf: [UInt8]
    let classCount: Int
    /// Per byte set of the automaton, the byte classes it holds (bit c: class c).
    let setClasses: [ByteSet]

    init?(regex: String, options: UInt32) {
        guard options & UInt32(PCRE2_EXTENDED) == 0 else { return nil }
        var parser = RegexSubsetParser(Array(regex.utf8), caseless: options & UInt32(PCRE2_CASELESS) != 0)
        guard let node = parser.parse() else { return nil }
        var nfa = ByteNFA()
        let accept = nfa.addState()
        nfa.accept = accept
        guard let fragment = nfa.build(node, budget: Self.depthLimit), nfa.stateCount <= ByteNFA.stateLimit else { return nil }
        nfa.epsilon(from: fragment.end, to: accept)
        let (classes, count) = nfa.byteClasses()
        var representative = [UInt8](repeating: 0, count: count)
        for x in (0..<256).reversed() { representative[Int(classes[x])] = UInt8(x) }
        setClasses = nfa.sets.map { set in
            var classes = ByteSet()
            for c in 0..<count where set.contains(representative[c]) { classes.insert(UInt8(c)) }
            return classes
        }
        var mark = [UInt32](repeating: 0, count: nfa.stateCount)
        startSet = nfa.closure([Int32(fragment.start)], mark: &mark, stamp: 1)
        classOf = classes
        classCount = count
        self.nfa = nfa
        self.accept = Int32(accept)
        precondition(classes.count == 256 && classes.allSatisfy { Int($0) < count }, "start automaton invariants")
    }
}

extension StartAutomaton {
    /// Appends the automaton to a ``PackCache`` file: what ``init(reading:)`` reads back.
    func write(to w: inout PackCache.Writer) {
        w.int32s(nfa.epsilon1); w.int32s(nfa.epsilon2); w.int32s(nfa.byteSet); w.int32s(nfa.byteTarget)
        func sets(_ sets: [ByteSet]) {
            w.count(sets.count)
            for set in sets { w.word(set.words.0); w.word(set.words.1); w.word(set.words.2); w.word(set.words.3) }
        }
        sets(nfa.sets)
        w.integer(Int(accept)); w.int32s(startSet)
        w.count(classOf.count); w.bytes += classOf
        w.integer(classCount)
        sets(setClasses)
    }

    /// An automaton that ``write(to:)`` wrote, with every index checked against the sizes it
    /// indexes (so that a reader never trusts the file for memory safety; its checksum vouches
    /// for the content).
    init(reading r: inout PackCache.Reader) throws(PackCache.Malformed) {
        var nfa = ByteNFA()
        nfa.epsilon1 = try r.int32s(); nfa.epsilon2 = try r.int32s()
        nfa.byteSet = try r.int32s(); nfa.byteTarget = try r.int32s()
        func sets() throws(PackCache.Malformed) -> [ByteSet] {
            let n = try r.count()
            var sets: [ByteSet] = []
            sets.reserveCapacity(n)
            for _ in 0..<n {
                var set = ByteSet()
                set.words = (try r.word(), try r.word(), try r.word(), try r.word())
                sets.append(set)
            }
            return sets
        }
        nfa.sets = try sets()
        let setCount = nfa.sets.count
        let accept = try r.integer()
        let startSet = try r.int32s()
        let classBytes = try r.count()
        guard classBytes == 256, r.bytes.count - r.position >= 256 else { throw PackCache.Malformed() }
        let classOf = Array(UnsafeRawBufferPointer(rebasing: r.bytes[r.position..<(r.position + 256)]))
        r.position += 256
        let classCount = try r.integer()
        guard classCount > 0 && classCount <= 256 else { throw PackCache.Malformed() }
        let setClasses = try sets()
        var classesBeyond = ByteSet()  // the class numbers that no byte has
        for c in classCount..<256 { classesBeyond.insert(UInt8(c)) }
        // Every index below its bound, checked as unsigned comparisons (-1, "none", as a large one).
        let n = nfa.epsilon1.count
        func below(_ a: [Int32], _ bound: Int, orNone: Bool) -> Bool {
            var ok = true
            for q in a { ok = ok && (UInt32(bitPattern: q) < UInt32(bound) || (orNone && q == -1)) }
            return ok
        }
        var targetsOK = true
        for q in 0..<n where nfa.byteSet[q] >= 0 { targetsOK = targetsOK && UInt32(bitPattern: nfa.byteTarget[q]) < UInt32(n) }
        guard n <= ByteNFA.stateLimit + 2, nfa.epsilon2.count == n, nfa.byteSet.count == n, nfa.byteTarget.count == n,
              below(nfa.epsilon1, n, orNone: true), below(nfa.epsilon2, n, orNone: true),
              below(nfa.byteSet, setCount, orNone: true), targetsOK,
              accept >= 0 && accept < n, below(startSet, n, orNone: false),
              classOf.allSatisfy({ Int($0) < classCount }),
              setClasses.count == setCount, setClasses.allSatisfy({ !$0.intersects(classesBeyond) })
        else { throw PackCache.Malformed() }
        nfa.accept = accept
        self.nfa = nfa
        self.accept = Int32(accept)
        self.startSet = startSet
        self.classOf = classOf
        self.classCount = classCount
        self.setClasses = setClasses
    }
}

/// One thread's deterministic view of a ``StartAutomaton``: each state is a set of the
/// automaton's states, worked out the first time the text leads to it and kept in a table of
/// `stateLimit` rows of one entry per byte class.
///
/// Invariants: row 0 is the dead state and row 1 the passing one (every entry of each points to
/// itself); an entry is a state below `count`, or `unknown` (not worked out yet); `count` never
/// exceeds ``StartAutomaton/stateLimit``.
final class StartDFA {
    static let dead: UInt16 = 0
    static let pass: UInt16 = 1
    static let unknown: UInt16 = .max

    let automaton: StartAutomaton
    let classCount: Int
    private let table: UnsafeMutablePointer<UInt16>
    private let classOf: UnsafeMutablePointer<UInt8>
    // One thread uses a StartDFA (see the type's comment), so its state needs no exclusivity
    // checks at run time.
    @exclusivity(unchecked) private var sets: [[Int32]] = [[], []]
    @exclusivity(unchecked) private var depths: [Int] = [0, 0]
    @exclusivity(unchecked) private var ids: [[Int32]: UInt16] = [:]
    @exclusivity(unchecked) private var mark: [UInt32]
    /// The automaton's states one byte on, their closure and the closure's stack (reused by
    /// each step).
    @exclusivity(unchecked) private var next: [Int32] = []
    @exclusivity(unchecked) private var closed: [Int32] = []
    @exclusivity(unchecked) private var closureStack: [Int32] = []
    @exclusivity(unchecked) private var stamp: UInt32 = 0
    @exclusivity(unchecked) private(set) var count = 2
    @exclusivity(unchecked) private(set) var start: UInt16 = StartDFA.dead

    init(_ automaton: StartAutomaton) {
        self.automaton = automaton
        classCount = automaton.classCount
        let rows = StartAutomaton.stateLimit
        table = .allocate(capacity: rows * classCount)
        table.initialize(repeating: Self.unknown, count: rows * classCount)
        for c in 0..<classCount {
            table[c] = Self.dead
            table[classCount + c] = Self.pass
        }
        classOf = .allocate(capacity: 256)
        classOf.initialize(from: automaton.classOf, count: 256)
        mark = [UInt32](repeating: 0, count: automaton.nfa.stateCount)
        start = state(for: automaton.startSet, depth: 0)
    }

    deinit {
        table.deallocate()
        classOf.deallocate()
    }

    /// The state of a set of the automaton's states (made if new).
    private func state(for set: [Int32], depth: Int) -> UInt16 {
        if set.isEmpty { return Self.dead }
        if set.contains(automaton.accept) { return Self.pass }
        if let known = ids[set] { return known }
        guard count < StartAutomaton.stateLimit, depth <= StartAutomaton.depthLimit else { return Self.pass }
        let new = UInt16(count)
        count += 1
        ids[set] = new
        sets.append(set)
        depths.append(depth)
        return new
    }

    /// Works out and stores the entry of state `s` for byte class `c`.
    private func step(_ s: UInt16, _ c: Int) -> UInt16 {
        next.removeAll(keepingCapacity: true)
        let byteClass = UInt8(c)
        for q in sets[Int(s)] {
            let k = automaton.nfa.byteSet[Int(q)]
            guard k >= 0, automaton.setClasses[Int(k)].contains(byteClass) else { continue }
            next.append(automaton.nfa.byteTarget[Int(q)])
        }
        if next.isEmpty {
            table[Int(s) * classCount + c] = Self.dead
            return Self.dead
        }
        stamp &+= 1
        if stamp == 0 {
            for k in mark.indices { mark[k] = 0 }
            stamp = 1
        }
        automaton.nfa.closure(next, mark: &mark, stamp: stamp, stack: &closureStack, into: &closed)
        let t = state(for: closed, depth: depths[Int(s)] + 1)
        table[Int(s) * classCount + c] = t
        return t
    }

    /// Whether a match may start at `p` of the `n` bytes at `base` (false: none can).
    ///
    /// The loop over known states calls nothing, so it holds no reference of its own to the
    /// automaton; an entry not yet worked out sends the whole walk to ``mayMatchMakingStates``.
    @inline(__always)
    func mayMatch(_ base: UnsafePointer<UInt8>, at p: Int, count n: Int) -> Bool {
        var s = start
        if s == Self.pass { return true }
        let end = min(n, p &+ StartAutomaton.scanLimit)
        let table = self.table, classOf = self.classOf, classCount = self.classCount
        var i = p
        while i < end {
            let t = table[Int(s) &* classCount &+ Int(classOf[Int(base[i])])]
            if t == Self.unknown { return mayMatchMakingStates(base, at: p, count: n) }
            s = t
            if s <= Self.pass { return s == Self.pass }
            i &+= 1
        }
        return end < n  // stopped by the limit (PCRE2 decides) or by the end of the text
    }

    /// The index in `candidates` of the first position where ``mayMatch(_:at:count:)`` holds
    /// (nil: none), so that a piece none of whose candidates can start a match is passed over
    /// without a call into PCRE2.
    @inline(__always)
    func firstPossibleStart(in text: UnsafeBufferPointer<UInt8>, candidates: UnsafeBufferPointer<Int32>) -> Int? {
        guard let base = text.baseAddress else { return nil }
        let n = text.count
        for k in candidates.indices where mayMatch(base, at: Int(candidates[k]), count: n) { return k }
        return nil
    }

    /// ``mayMatch(_:at:count:)`` that works out the entries it meets that are not known yet.
    @inline(never)
    private func mayMatchMakingStates(_ base: UnsafePointer<UInt8>, at p: Int, count n: Int) -> Bool {
        var s = start
        let end = min(n, p &+ StartAutomaton.scanLimit)
        var i = p
        while i < end {
            let c = Int(classOf[Int(base[i])])
            var t = table[Int(s) &* classCount &+ c]
            if t == Self.unknown { t = step(s, c) }
            s = t
            if s <= Self.pass { return s == Self.pass }
            i &+= 1
        }
        return end < n
    }
}

/// A regex as a tree over bytes, for ``StartAutomaton``: each leaf is one byte from a set.
indirect enum ByteRegex {
    case empty
    case byte(ByteSet)
    case sequence([ByteRegex])
    case alternation([ByteRegex])
    /// `max` nil: no upper bound.
    case repeated(ByteRegex, min: Int, max: Int?)
    /// A positive lookahead: matches the empty string, except where ``trailingLookaheadsRead``
    /// finds it at the end of the regex.
    case lookahead(ByteRegex)

    /// The fewest bytes a match takes.
    var minLength: Int {
        switch self {
        case .empty, .lookahead: 0
        case .byte: 1
        case .sequence(let items): items.reduce(0) { $0 + $1.minLength }
        case .alternation(let branches): branches.map(\.minLength).min() ?? 0
        case .repeated(let inner, let minCount, _): minCount * inner.minLength
        }
    }

    /// The regex with a positive lookahead at its end read as part of the match: where nothing
    /// but zero-width items follows `(?=B)`, any match is followed by a text that B matches the
    /// start of, so the automaton may require B there (it accepts as soon as B is through, and
    /// a match accepted is only a candidate for PCRE2). Lookaheads elsewhere stay empty.
    var trailingLookaheadsRead: ByteRegex {
        switch self {
        case .lookahead(let inner): return inner.trailingLookaheadsRead
        case .alternation(let branches): return .alternation(branches.map(\.trailingLookaheadsRead))
        case .sequence(let items):
            // The last item that is not empty (anchors, lookbehinds and negative lookaheads are).
            guard let k = items.lastIndex(where: { if case .empty = $0 { return false }; return true }) else { return self }
            switch items[k] {
            case .lookahead, .alternation, .sequence:
                return .sequence(Array(items[..<k]) + [items[k].trailingLookaheadsRead])
            default:
                return self
            }
        default: return self
        }
    }

    /// Any one non-ASCII character, as UTF-8: a lead byte and one to three continuation bytes.
    static let nonASCIICharacter: ByteRegex = {
        var lead = ByteSet(), cont = ByteSet()
        for b in UInt8(0xC2)...0xF4 { lead.insert(b) }
        for b in UInt8(0x80)...0xBF { cont.insert(b) }
        return .sequence([.byte(lead), .repeated(.byte(cont), min: 1, max: 3)])
    }()

    /// One character: an ASCII byte from `ascii`, or (with `nonASCII`) any non-ASCII character.
    static func character(ascii: ByteSet, nonASCII: Bool) -> ByteRegex {
        if !nonASCII { return .byte(ascii) }
        return ascii.isEmpty ? nonASCIICharacter : .alternation([.byte(ascii), nonASCIICharacter])
    }
}

/// The subset of PCRE2's syntax the packs use, read into a ``ByteRegex`` that matches a superset
/// of the regex's matches; nil where the regex holds anything else.
struct RegexSubsetParser {
    let b: [UInt8]
    var i = 0
    var caseless: Bool
    var failed = false

    init(_ bytes: [UInt8], caseless: Bool) {
        b = bytes
        self.caseless = caseless
    }

    static func set(_ bytes: [UInt8]) -> ByteSet {
        var s = ByteSet()
        for x in bytes { s.insert(x) }
        return s
    }

    static func single(_ x: UInt8) -> ByteSet {
        var s = ByteSet()
        s.insert(x)
        return s
    }

    static func range(_ lo: UInt8, _ hi: UInt8) -> ByteSet {
        var s = ByteSet()
        for x in lo...hi { s.insert(x) }
        return s
    }

    static let ascii = range(0x00, 0x7F)
    static let digits = range(0x30, 0x39)
    static let letters: ByteSet = { var s = range(0x41, 0x5A); s.formUnion(range(0x61, 0x7A)); return s }()
    static let word: ByteSet = { var s = letters; s.formUnion(digits); s.insert(0x5F); return s }()
    static let space = set([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20])
    static let horizontalSpace = set([0x09, 0x20])
    static let verticalSpace = set([0x0A, 0x0B, 0x0C, 0x0D])

    static func minus(_ a: ByteSet, _ b: ByteSet) -> ByteSet {
        var s = ByteSet()
        s.words = (a.words.0 & ~b.words.0, a.words.1 & ~b.words.1, a.words.2 & ~b.words.2, a.words.3 & ~b.words.3)
        return s
    }

    /// Adds the other ASCII case of every ASCII letter.
    static func caseClosed(_ s: ByteSet) -> ByteSet {
        var out = s
        for x in UInt8(0x41)...0x5A where s.contains(x) || s.contains(x + 0x20) {
            out.insert(x)
            out.insert(x + 0x20)
        }
        return out
    }

    mutating func parse() -> ByteRegex? {
        let node = alternation()
        if failed || i != b.count { return nil }
        return node.trailingLookaheadsRead
    }

    var atEnd: Bool { i >= b.count }

    mutating func fail() -> ByteRegex {
        failed = true
        i = b.count
        return .empty
    }

    /// Branches up to a `)` (not consumed) or the end.
    mutating func alternation() -> ByteRegex {
        var branches: [ByteRegex] = []
        var items: [ByteRegex] = []
        while !atEnd && !failed {
            let c = b[i]
            if c == 0x29 { break }  // ')'
            if c == 0x7C {  // '|'
                i += 1
                branches.append(.sequence(items))
                items = []
                continue
            }
            let a = atom()
            if failed { break }
            items.append(quantified(a))
        }
        branches.append(.sequence(items))
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    /// `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}` (with a lazy `?` or possessive `+` after it) on `a`.
    mutating func quantified(_ a: ByteRegex) -> ByteRegex {
        guard !atEnd else { return a }
        var minCount = 1, maxCount: Int? = 1
        switch b[i] {
        case 0x3F: minCount = 0; maxCount = 1; i += 1
        case 0x2A: minCount = 0; maxCount = nil; i += 1
        case 0x2B: minCount = 1; maxCount = nil; i += 1
        case 0x7B:
            guard let (lo, hi, next) = braces(from: i) else {
                if i + 2 < b.count, b[i + 1] == 0x2C { return fail() }  // `{,m}`: see braces(from:)
                return a  // a literal '{'
            }
            minCount = lo; maxCount = hi; i = next
        default: return a
        }
        if !atEnd && (b[i] == 0x3F || b[i] == 0x2B) { i += 1 }
        guard minCount <= 64, (maxCount ?? 0) <= 64 else { return fail() }
        return .repeated(a, min: minCount, max: maxCount)
    }

    /// `{n}`, `{n,}`, `{n,m}`, `{,m}` at `at`: the bounds and the index after `}`; nil if the
    /// brace is a literal.
    func braces(from at: Int) -> (Int, Int?, Int)? {
        var j = at + 1
        func number() -> Int? {
            var v: Int? = nil
            while j < b.count, b[j] >= 0x30, b[j] <= 0x39 { v = (v ?? 0) * 10 + Int(b[j] - 0x30); j += 1; if v! > 100_000 { return nil } }
            return v
        }
        let lo = number()
        if j < b.count, b[j] == 0x7D {
            guard let lo else { return nil }
            return (lo, lo, j + 1)
        }
        guard j < b.count, b[j] == 0x2C else { return nil }
        j += 1
        let hi = number()
        // `{,m}` is a literal for PCRE2 before 10.43 and a quantifier after: not in the subset.
        guard j < b.count, b[j] == 0x7D, lo != nil else { return nil }
        if let lo, let hi, hi < lo { return nil }
        return (lo ?? 0, hi, j + 1)
    }

    /// The bytes of the UTF-8 character at `i` (advancing past it).
    mutating func utf8Character() -> [UInt8] {
        let start = i
        i += 1
        while !atEnd && b[i] & 0xC0 == 0x80 { i += 1 }
        return Array(b[start..<i])
    }

    /// A literal character: its bytes, or under caseless matching both ASCII cases of a letter
    /// and any non-ASCII character (Unicode case folding, as PCRE2's UTF mode does it).
    func literal(_ bytes: [UInt8]) -> ByteRegex {
        if bytes.count == 1 {
            let x = bytes[0]
            if caseless && Self.letters.contains(x) {
                return .character(ascii: Self.caseClosed(Self.single(x)), nonASCII: true)
            }
            return .byte(Self.single(x))
        }
        if caseless { return ByteRegex.nonASCIICharacter }
        return .sequence(bytes.map { .byte(Self.single($0)) })
    }

    mutating func atom() -> ByteRegex {
        let c = b[i]
        switch c {
        case 0x28: return group()
        case 0x5B: return characterClass()
        case 0x5C: return escape()
        case 0x2E:  // '.': any character (a newline too, under dotall)
            i += 1
            return .character(ascii: Self.ascii, nonASCII: true)
        case 0x5E, 0x24: i += 1; return .empty  // ^ $
        case 0x2A, 0x2B, 0x3F: return fail()     // a quantifier with nothing before it
        default:
            if c >= 0x80 { return literal(utf8Character()) }
            i += 1
            return literal([c])
        }
    }

    /// `(`...`)` in its kinds: groups keep their content, lookarounds and comments give nothing,
    /// inline options set caseless matching for the rest of the enclosing group.
    mutating func group() -> ByteRegex {
        i += 1  // '('
        guard !atEnd else { return fail() }
        var zeroWidth = false, positiveLookahead = false
        if b[i] == 0x2A { return fail() }  // (*VERB) and (*pla: ...)
        if b[i] == 0x3F {  // '?'
            i += 1
            guard !atEnd else { return fail() }
            let k = b[i]
            switch k {
            case 0x3A, 0x7C, 0x3E: i += 1  // (?: (?| (?>
            case 0x3D, 0x21: positiveLookahead = k == 0x3D; i += 1; zeroWidth = true  // (?= (?!
            case 0x3C:  // (?<= (?<! or (?<name>
                i += 1
                guard !atEnd else { return fail() }
                if b[i] == 0x3D || b[i] == 0x21 { i += 1; zeroWidth = true } else if !skipName(until: 0x3E) { return fail() }
            case 0x50:  // (?P<name>
                i += 1
                guard !atEnd, b[i] == 0x3C else { return fail() }
                i += 1
                if !skipName(until: 0x3E) { return fail() }
            case 0x27:  // (?'name'
                i += 1
                if !skipName(until: 0x27) { return fail() }
            case 0x23:  // (?# comment )
                while !atEnd && b[i] != 0x29 { i += 1 }
                guard !atEnd else { return fail() }
                i += 1
                return .empty
            default:
                // Inline options: (?flags) or (?flags:...).
                var on = true
                var newCaseless = caseless
                while !atEnd {
                    let f = b[i]
                    if f == 0x2D { on = false } else if f == 0x5E { newCaseless = false; on = true }
                    else if f == 0x69 { newCaseless = on }
                    else if f == 0x78 { return fail() }  // extended mode
                    else if f == 0x6D || f == 0x73 || f == 0x6E || f == 0x4A || f == 0x55 {} // m s n J U
                    else { break }
                    i += 1
                }
                guard !atEnd else { return fail() }
                if b[i] == 0x29 {  // (?i): for the rest of the enclosing group
                    i += 1
                    caseless = newCaseless
                    return .empty
                }
                guard b[i] == 0x3A else { return fail() }  // recursion, conditionals, callouts...
                i += 1
                let saved = caseless
                caseless = newCaseless
                let inner = alternation()
                caseless = saved
                guard !failed, !atEnd, b[i] == 0x29 else { return fail() }
                i += 1
                return inner
            }
        }
        let saved = caseless
        let inner = alternation()
        caseless = saved
        guard !failed, !atEnd, b[i] == 0x29 else { return fail() }
        i += 1
        if positiveLookahead { return .lookahead(inner) }
        return zeroWidth ? .empty : inner
    }

    /// Skips a group name up to `close` (consumed); false if it is not a plain name.
    mutating func skipName(until close: UInt8) -> Bool {
        let start = i
        while !atEnd, b[i] != close {
            let x = b[i]
            guard Self.word.contains(x) else { return false }
            i += 1
        }
        guard !atEnd, i > start else { return false }
        i += 1
        return true
    }

    /// The ASCII part and the non-ASCII flag of a class escape (`\d \w \s \h \v`, their
    /// negations, `\N`, `\p{..}`); nil for any other letter. `exact`: the ASCII part is exact
    /// (not an over-approximation), as the negation of a class needs.
    mutating func classEscape(_ e: UInt8) -> (ascii: ByteSet, nonASCII: Bool, exact: Bool)? {
        switch e {
        case 0x64: return (Self.digits, true, true)                                   // \d
        case 0x44: return (Self.minus(Self.ascii, Self.digits), true, true)           // \D
        case 0x77: return (Self.word, true, true)                                     // \w
        case 0x57: return (Self.minus(Self.ascii, Self.word), true, true)             // \W
        case 0x73: return (Self.space, true, true)                                    // \s
        case 0x53: return (Self.minus(Self.ascii, Self.space), true, true)            // \S
        case 0x68: return (Self.horizontalSpace, true, true)                          // \h
        case 0x48: return (Self.minus(Self.ascii, Self.horizontalSpace), true, true)  // \H
        case 0x76: return (Self.verticalSpace, true, true)                            // \v
        case 0x56: return (Self.minus(Self.ascii, Self.verticalSpace), true, true)    // \V
        case 0x70, 0x50:                                                               // \p \P
            // \p{L}, \p{Lu}, \p{Ll}: the ASCII letters (exact); any other property: every byte.
            var name: [UInt8] = []
            if !atEnd && b[i] == 0x7B {
                i += 1
                while !atEnd && b[i] != 0x7D { name.append(b[i]); i += 1 }
                guard !atEnd else { return nil }
                i += 1
            } else if !atEnd {
                name = [b[i]]
                i += 1
            }
            let n = String(decoding: name, as: UTF8.self)
            var part: ByteSet? = nil
            switch n {
            case "L", "L&", "Lc": part = Self.letters
            case "Lu": part = Self.range(0x41, 0x5A)
            case "Ll": part = Self.range(0x61, 0x7A)
            case "N", "Nd": part = Self.digits
            default: break
            }
            guard let part else { return (Self.ascii, true, false) }
            return e == 0x70 ? (part, true, true) : (Self.minus(Self.ascii, part), true, true)
        default: return nil
        }
    }

    /// A single-character escape (`\n`, `\t`, `\x41`, `\x{20AC}`, `\.`): its UTF-8 bytes; nil if
    /// it is not one.
    mutating func characterEscape(_ e: UInt8) -> [UInt8]? {
        switch e {
        case 0x6E: return [0x0A]
        case 0x74: return [0x09]
        case 0x72: return [0x0D]
        case 0x66: return [0x0C]
        case 0x65: return [0x1B]
        case 0x61: return [0x07]
        case 0x78:  // \xHH or \x{H...}
            var value: UInt32 = 0
            var digits = 0
            func hex(_ x: UInt8) -> UInt32? {
                switch x {
                case 0x30...0x39: UInt32(x - 0x30)
                case 0x41...0x46: UInt32(x - 0x41 + 10)
                case 0x61...0x66: UInt32(x - 0x61 + 10)
                default: nil
                }
            }
            if !atEnd && b[i] == 0x7B {
                i += 1
                while !atEnd, let h = hex(b[i]) { value = value * 16 + h; digits += 1; i += 1; if digits > 6 { return nil } }
                guard !atEnd, b[i] == 0x7D, digits > 0 else { return nil }
                i += 1
            } else {
                while digits < 2, !atEnd, let h = hex(b[i]) { value = value * 16 + h; digits += 1; i += 1 }
            }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return Array(String(Character(scalar)).utf8)
        default:
            // Escaped punctuation and symbols stand for themselves; letters and digits that are
            // not known escapes (back-references, \Q, \c, \g, \k, \R, \X ...) are not in the subset.
            if e >= 0x80 || Self.word.contains(e) { return nil }
            return [e]
        }
    }

    mutating func escape() -> ByteRegex {
        i += 1  // '\'
        guard !atEnd else { return fail() }
        let e = b[i]
        i += 1
        switch e {
        case 0x62, 0x42, 0x41, 0x7A, 0x5A, 0x47, 0x4B: return .empty  // \b \B \A \z \Z \G \K
        case 0x4E: return .character(ascii: Self.minus(Self.ascii, Self.single(0x0A)), nonASCII: true)  // \N
        default: break
        }
        if let (ascii, nonASCII, _) = classEscape(e) {
            return .character(ascii: caseless ? Self.caseClosed(ascii) : ascii, nonASCII: nonASCII)
        }
        if e >= 0x80 { return fail() }
        guard let bytes = characterEscape(e) else { return fail() }
        return literal(bytes)
    }

    /// `[...]` and `[^...]`.
    mutating func characterClass() -> ByteRegex {
        i += 1  // '['
        var negated = false
        if !atEnd && b[i] == 0x5E { negated = true; i += 1 }
        var ascii = ByteSet()
        var nonASCII = false
        var exact = true
        var first = true
        var previous: UInt8? = nil  // the last single ASCII member, for a range
        while !atEnd {
            let c = b[i]
            if c == 0x5D && !first { break }
            first = false
            if c == 0x5B && i + 1 < b.count && (b[i + 1] == 0x3A || b[i + 1] == 0x2E || b[i + 1] == 0x3D) { return fail() }  // POSIX
            // A range a-b (a '-' first or last is a literal).
            if c == 0x2D, let lo = previous, i + 1 < b.count, b[i + 1] != 0x5D {
                i += 1
                var hiBytes: [UInt8]
                if b[i] == 0x5C {
                    i += 1
                    guard !atEnd else { return fail() }
                    let e = b[i]
                    i += 1
                    guard let bytes = characterEscape(e) else { return fail() }  // \d and the like end no range
                    hiBytes = bytes
                } else if b[i] >= 0x80 {
                    hiBytes = utf8Character()
                } else {
                    hiBytes = [b[i]]
                    i += 1
                }
                if hiBytes.count == 1 {
                    guard hiBytes[0] >= lo else { return fail() }
                    ascii.formUnion(Self.range(lo, hiBytes[0]))
                } else {
                    ascii.formUnion(Self.range(lo, 0x7F))
                    nonASCII = true
                }
                previous = nil
                continue
            }
            if c == 0x5C {
                i += 1
                guard !atEnd else { return fail() }
                let e = b[i]
                i += 1
                if e == 0x62 { ascii.insert(0x08); previous = 0x08; continue }  // \b in a class: backspace
                if let part = classEscape(e) {
                    ascii.formUnion(part.ascii)
                    nonASCII = nonASCII || part.nonASCII
                    exact = exact && part.exact
                    previous = nil
                    continue
                }
                guard let bytes = characterEscape(e) else { return fail() }
                if bytes.count == 1 { ascii.insert(bytes[0]); previous = bytes[0] } else { nonASCII = true; previous = nil }
                continue
            }
            if c >= 0x80 {
                _ = utf8Character()
                nonASCII = true
                previous = nil
                continue
            }
            ascii.insert(c)
            previous = c
            i += 1
        }
        guard !atEnd, b[i] == 0x5D else { return fail() }
        i += 1
        if caseless {
            ascii = Self.caseClosed(ascii)
            nonASCII = true
        }
        if negated {
            guard exact else { return fail() }
            return .character(ascii: Self.minus(Self.ascii, ascii), nonASCII: true)
        }
        return .character(ascii: ascii, nonASCII: nonASCII)
    }
}

/// A Thompson NFA over bytes, for ``StartAutomaton``: each state has at most two epsilon edges
/// (-1: none) and at most one byte-set edge.
struct ByteNFA {
    static let stateLimit = 40_000
    var epsilon1: [Int32] = []
    var epsilon2: [Int32] = []
    /// Per state: -1, or the index in `sets` of its byte edge, whose target is `byteTarget`.
    var byteSet: [Int32] = []
    var byteTarget: [Int32] = []
    var sets: [ByteSet] = []
    var setIndex: [[UInt64]: Int32] = [:]
    /// The accepting state, where a match past the budget of bytes goes at once.
    var accept = -1
    var stateCount: Int { epsilon1.count }

    mutating func addState() -> Int {
        epsilon1.append(-1)
        epsilon2.append(-1)
        byteSet.append(-1)
        byteTarget.append(-1)
        return epsilon1.count - 1
    }

    /// An epsilon edge; a state that has two already gets a new state between.
    mutating func epsilon(from a: Int, to b: Int) {
        if epsilon1[a] < 0 { epsilon1[a] = Int32(b); return }
        if epsilon2[a] < 0 { epsilon2[a] = Int32(b); return }
        let split = addState()
        epsilon1[split] = epsilon2[a]
        epsilon2[split] = Int32(b)
        epsilon2[a] = Int32(split)
    }

    /// Builds `node` as a fragment (start, end); nil when it grows past ``stateLimit``. Past
    /// `budget` bytes (counted by the fewest each part takes) the rest of a match is taken as
    /// anything: an edge to `accept`, which only makes the language larger.
    mutating func build(_ node: ByteRegex, budget: Int) -> (start: Int, end: Int)? {
        guard stateCount <= Self.stateLimit else { return nil }
        if budget <= 0 {
            let s = addState()
            epsilon(from: s, to: accept)
            return (s, addState())  // an end nothing reaches
        }
        switch node {
        case .empty, .lookahead:
            let s = addState()
            return (s, s)
        case .byte(let set):
            let s = addState(), e = addState()
            let key = [set.words.0, set.words.1, set.words.2, set.words.3]
            let k: Int32
            if let known = setIndex[key] { k = known } else {
                k = Int32(sets.count)
                sets.append(set)
                setIndex[key] = k
            }
            byteSet[s] = k
            byteTarget[s] = Int32(e)
            return (s, e)
        case .sequence(let items):
            let start = addState()
            var end = start
            var left = budget
            for item in items {
                guard let f = build(item, budget: left) else { return nil }
                epsilon(from: end, to: f.start)
                end = f.end
                left -= item.minLength
                if left <= 0 {
                    epsilon(from: end, to: accept)
                    return (start, addState())
                }
            }
            return (start, end)
        case .alternation(let branches):
            // A chain of splits, each to one branch and the next split.
            let e = addState()
            var split = addState()
            let s = split
            for (k, branch) in branches.enumerated() {
                guard let f = build(branch, budget: budget) else { return nil }
                epsilon(from: split, to: f.start)
                epsilon(from: f.end, to: e)
                if k + 1 < branches.count {
                    let next = addState()
                    epsilon(from: split, to: next)
                    split = next
                }
            }
            return (s, e)
        case .repeated(let inner, let minCount, let maxCount):
            var items = Array(repeating: inner, count: minCount)
            if let maxCount {
                // Optional copies, nested: (x(x(x)?)?)? has no more states than x?x?x? and fewer paths.
                var tail: ByteRegex = .empty
                for _ in 0..<(maxCount - minCount) { tail = .alternation([.sequence([inner, tail]), .empty]) }
                items.append(tail)
                return build(.sequence(items), budget: budget)
            }
            guard let head = build(.sequence(items), budget: budget),
                  let loop = build(inner, budget: budget - minCount * inner.minLength) else { return nil }
            let e = addState()
            epsilon(from: head.end, to: loop.start)
            epsilon(from: head.end, to: e)
            epsilon(from: loop.end, to: loop.start)
            epsilon(from: loop.end, to: e)
            return (head.start, e)
        }
    }

    /// Bytes grouped into classes that no edge tells apart: each byte set splits every class
    /// into its bytes inside and outside the set.
    func byteClasses() -> ([UInt8], Int) {
        var classOf = [Int](repeating: 0, count: 256)
        var count = 1
        var renumber = [Int](repeating: -1, count: 2 * 256)
        for set in sets {
            var next = 0
            for x in 0..<256 {
                let key = classOf[x] * 2 + (set.contains(UInt8(x)) ? 1 : 0)
                if renumber[key] < 0 { renumber[key] = next; next += 1 }
                classOf[x] = renumber[key]
            }
            for k in 0..<(2 * count) { renumber[k] = -1 }
            count = next
        }
        return (classOf.map { UInt8(truncatingIfNeeded: $0) }, count)
    }

    /// The states reachable from `states` by epsilon edges, sorted (`mark`, one entry per
    /// state, is scratch: entries equal to `stamp` are taken).
    func closure(_ states: [Int32], mark: inout [UInt32], stamp: UInt32) -> [Int32] {
        var out: [Int32] = [], stack: [Int32] = []
        closure(states, mark: &mark, stamp: stamp, stack: &stack, into: &out)
        return out
    }

    /// ``closure(_:mark:stamp:)`` into `out` (emptied first), with `stack` as scratch: a caller
    /// that works out many closures (``StartDFA``) keeps both buffers, so that a closure
    /// allocates nothing once they have grown.
    func closure(_ states: [Int32], mark: inout [UInt32], stamp: UInt32, stack: inout [Int32], into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        for s in states where mark[Int(s)] != stamp {
            mark[Int(s)] = stamp
            stack.append(s)
        }
        while let s = stack.popLast() {
            // Only states with a byte edge (or the accepting one, with no edge) tell sets apart.
            if byteSet[Int(s)] >= 0 || epsilon1[Int(s)] < 0 { out.append(s) }
            let t1 = epsilon1[Int(s)], t2 = epsilon2[Int(s)]
            if t1 >= 0 && mark[Int(t1)] != stamp { mark[Int(t1)] = stamp; stack.append(t1) }
            if t2 >= 0 && mark[Int(t2)] != stamp { mark[Int(t2)] = stamp; stack.append(t2) }
        }
        out.sort()
    }
}

/// A pattern's ``StartAutomaton``: read from the pack's cache file where there is one
/// (``preset(_:)``, before any document), else worked out from the regex on the first document
/// that gives the pattern a candidate, once, by whichever thread comes first (``BuildOnce``).
final class LazyStartAutomaton: Sendable {
    let regex: String
    let options: UInt32
    private let once = BuildOnce<StartAutomaton>()

    init(regex: String, options: UInt32) {
        self.regex = regex
        self.options = options
    }

    /// Takes the automaton as built already (from a ``PackCache`` file; nil: the regex has
    /// none), before any caller asks for it.
    func preset(_ built: StartAutomaton?) {
        _ = once.value { built }
    }

    /// Whether a caller has built it already (for tests).
    var isBuilt: Bool { once.isBuilt }

    /// The automaton; nil where the regex is outside the subset it covers.
    @inline(__always)
    func automaton() -> StartAutomaton? {
        once.value { StartAutomaton(regex: regex, options: options) }
    }
}

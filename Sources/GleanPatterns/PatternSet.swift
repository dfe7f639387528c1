import CPCRE2
import GleanCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Guards against catastrophic backtracking, applied to every match call of a pattern.
///
/// When a limit is hit the pattern stops on that document, the document gets a
/// `Warning(stage: "patterns", name: PATTERN, reason: ...)` and the other patterns go on.
/// `matchLimit` bounds backtracking steps (PCRE2 `match_limit`, honoured by the JIT too);
/// `depthLimit` and `heapLimit` (KiB) bound the interpreter, used only where the JIT is not
/// available; `jitStackKiB` is the most JIT stack one thread may use.
///
/// ```swift
/// var limits = PatternLimits()
/// limits.matchLimit = 100_000          // stricter for untrusted pattern files
/// let set = try PatternSet(files: ["mine.yaml"], limits: limits)
/// ```
/// A pattern file may set `match_limit`, `depth_limit` and `heap_limit` per pattern.
public struct PatternLimits: Sendable, Equatable {
    public var matchLimit: UInt32 = 1_000_000
    public var depthLimit: UInt32 = 100_000
    public var heapLimit: UInt32 = 100_000
    public var jitStackKiB: Int = 4096
    /// The work one pattern may do on one document, in PCRE2 match-limit units per byte of the
    /// document (at least `documentWorkMinimum`), for what the per-call limits miss: a regex whose
    /// every call stays under `matchLimit` but that is called at every position of a long text
    /// (a recursion such as `(?<r>a(?&r)?b|a)` over 100,000 a's). Each call first runs under
    /// `firstCallLimit`; a call that needs more is run again under a larger limit and what it
    /// was granted is counted against the document's budget, so total work stays linear in the text.
    public var documentWorkPerByte: UInt64 = 256
    public var documentWorkMinimum: UInt64 = 10_000_000
    public var firstCallLimit: UInt32 = 1024
    /// How many calls a piece that runs at candidates makes with PCRE2's interpreter, in all,
    /// before its anchored copy is compiled with the JIT; until then the interpreter runs the
    /// plain code (the same matches; a call that it does not settle, a match or none, under
    /// `firstCallLimit` goes to the JIT at once, so limits count as they do there). Candidates
    /// its start automaton turns away make no call. A JIT compile costs about as much as a couple
    /// of hundred interpreter calls; 0: every piece is JIT-compiled on its first call.
    public var jitAfter: Int = 16
    public init() {}
}

/// A compiled set of patterns: the PCRE2 pattern stage.
///
/// Semantics, per pattern: the leftmost, non-overlapping matches that PCRE2's own global matching
/// gives (`pcre2test` with `/g`, Python's `re.finditer` for the regexes both accept), UTF-8 with
/// Unicode properties (UTF + UCP) unless the pattern says `no-ucp`; empty matches are dropped.
/// Each match becomes one ``Span`` (source `.pattern`) whose `matchStart`/`matchEnd` are the UTF-8
/// byte offsets of the chosen group (``PatternGroup``), with the named captures as `groups` and a
/// normalised `value` (``ValueKind``). A pattern with labelled branches (``PatternBranch``) gives
/// the span of the branch that matched, with that branch's label, named `pattern/branch`. A `lead`
/// group (``PatternDefinition/lead``), when set, moves the span's start back to its own (a capture
/// in a lookbehind: the match starts at a digit, the entity at the word before it). Patterns are independent: their matches may overlap, and
/// the resolution policy settles that later. Spans come out pattern by pattern, each pattern's in
/// text order.
///
/// ```swift
/// let set = try PatternSet(yaml: """
///     - {name: pct, label: PERCENT, regex: '[0-9]+%'}
///     """, file: "inline")
/// let (spans, _) = set.matches(in: "Up 12% to 30%")   // "12%" [3,6), "30%" [10,13)
/// ```
///
/// One set is shared by all threads; each thread brings its own ``PatternScratch``.
/// A pattern is skipped on a document that lacks the bytes every match of it must hold (the
/// first bytes and the required byte that PCRE2 derives from the regex), which changes no result.
public final class PatternSet: @unchecked Sendable {
    /// The patterns, in the order they were given.
    public let definitions: [PatternDefinition]
    public let limits: PatternLimits
    let compiled: [CompiledPattern]
    /// The largest capture count of any pattern (match data is sized for it).
    let maxCaptures: Int
    /// Where each pattern can start (``StartAnalysis``), as tables for one pass over a document.
    let plan: PatternPlan
    /// Per pattern, what ``CompiledPattern/mayMatch(present:length:)`` checks, in one flat array
    /// (no reference counting per document and pattern).
    let prefilters: [Prefilter]
    /// The distinct byte sets the prefilters ask a document to meet (at most 64; the rest are
    /// kept in the prefilter itself): each is tested once per document, not once per pattern.
    let prefilterSets: [ByteSet]
    /// Per pattern, its sets beyond the 64 shared ones (nearly always none).
    let prefilterOtherSets: [[ByteSet]]

    /// The per-document checks of one pattern: the shortest match, the byte sets a document must
    /// meet (each the first bytes, the required byte or the `requires` bytes of the pattern; an
    /// unknown set is left out, since any non-empty document meets it), whether it has
    /// `requires` strings to search for.
    struct Prefilter {
        var minLength: Int
        /// Bit k: the document must hold a byte of `prefilterSets[k]`.
        var needs: UInt64 = 0
        /// Sets beyond the 64 shared ones (only for packs with very many distinct sets), kept
        /// apart so that reading a prefilter touches no reference count.
        var hasOtherSets = false
        var searchesStrings: Bool

        init(_ p: CompiledPattern, sets: inout [ByteSet], otherSets: inout [ByteSet]) {
            minLength = p.code.minLength
            searchesStrings = !p.requiredStrings.isEmpty
            for set in [p.code.firstBytes, p.code.requiredBytes, p.requiredAnyByte] {
                guard let set, set != .all else { continue }
                if let k = sets.firstIndex(of: set) {
                    needs |= 1 << UInt64(k)
                } else if sets.count < 64 {
                    sets.append(set)
                    needs |= 1 << UInt64(sets.count - 1)
                } else {
                    otherSets.append(set)
                    hasOtherSets = true
                }
            }
        }

        /// ``CompiledPattern/mayMatch(present:length:)`` for a non-empty document, given which
        /// shared sets it meets (`met`, bit k for `prefilterSets[k]`); `otherSets` are this
        /// pattern's sets beyond the shared ones.
        @inline(__always)
        func mayMatch(met: UInt64, present: ByteSet, length: Int, otherSets: @autoclosure () -> [ByteSet]) -> Bool {
            length >= minLength && needs & ~met == 0 && (!hasOtherSets || otherSets().allSatisfy { $0.intersects(present) })
        }
    }

    /// Compiles definitions; the first bad one throws (with its file and line).
    public convenience init(definitions: [PatternDefinition], limits: PatternLimits = PatternLimits()) throws(PatternFileError) {
        try self.init(definitions: definitions, limits: limits, codes: nil)
    }

    /// Compiles definitions, or takes their codes as compiled already (`codes`, from a
    /// ``PackCache`` file: the regexes are not compiled again): one per definition, then
    /// possibly one more per definition, its anchored copy (``anchoredCopies``).
    /// `automata`: each definition's start automaton (nil: none) as a ``PackCache`` file holds
    /// them, so that none is worked out from its regex again.
    init(definitions: [PatternDefinition], limits: PatternLimits, codes: [PCRE2Code]?, automata: [StartAutomaton?]? = nil) throws(PatternFileError) {
        let n = definitions.count
        let anchoredGiven = codes.map { $0.count == 2 * n } ?? false
        var firstSeen: [String: PatternDefinition] = [:]
        var compiled: [CompiledPattern] = []
        for (i, def) in definitions.enumerated() {
            if let first = firstSeen[def.name] {
                throw PatternFileError(file: def.file, line: def.line, pattern: def.name,
                                       kind: .duplicateName(firstFile: first.file, firstLine: first.line))
            }
            firstSeen[def.name] = def
            let p = try CompiledPattern(def, limits: limits, code: codes?[i], anchoredCode: anchoredGiven ? codes?[n + i] : nil)
            if let automata, automata.count == n { p.automaton?.preset(automata[i]) }
            compiled.append(p)
        }
        self.definitions = definitions
        self.limits = limits
        self.compiled = compiled
        self.maxCaptures = compiled.map(\.code.captureCount).max() ?? 0
        self.plan = PatternPlan(compiled)
        var sets: [ByteSet] = []
        var otherSets: [[ByteSet]] = []
        var prefilters: [Prefilter] = []
        for p in compiled {
            var others: [ByteSet] = []
            prefilters.append(Prefilter(p, sets: &sets, otherSets: &others))
            otherSets.append(others)
        }
        self.prefilters = prefilters
        self.prefilterSets = sets
        self.prefilterOtherSets = otherSets
        // A pattern the plan cannot place (more than 64 distinct filters or 128 word groups) scans
        // with its plain code: JIT it too.
        for (i, p) in compiled.enumerated() where plan.slot[i] < 0 { p.code.compileJIT() }
    }

    /// Parses and compiles the text of one pattern file.
    public convenience init(yaml: String, file: String, limits: PatternLimits = PatternLimits()) throws(PatternFileError) {
        try self.init(definitions: PatternFile.parse(yaml, file: file), limits: limits)
    }

    /// Loads and compiles pattern files, in order; names must be unique across all of them.
    /// With a `cacheDirectory` (``CacheDirectory/path(environment:)``), the expanded definitions
    /// are read from a ``PackCache`` file there when one was written for these very files, and
    /// written there after a load that gave no fault; the set is the same either way.
    public convenience init(files: [String], limits: PatternLimits = PatternLimits(), cacheDirectory: String? = nil) throws(PatternFileError) {
        guard let cacheDirectory, let entry = PackCache.Entry(paths: files, directory: cacheDirectory) else {
            try self.init(definitions: PatternFile.loadPack(paths: files), limits: limits)
            return
        }
        if let cached = entry.load() {
            try self.init(definitions: cached.definitions, limits: limits, codes: cached.codes, automata: cached.automata)
        } else {
            let definitions = try entry.parse()
            try self.init(definitions: definitions, limits: limits, codes: nil)
            // Only a pack that compiled without a fault is stored.
            // With every piece's start automaton, worked out now, once for these files.
            entry.store(definitions, codes: compiled.map(\.code) + (anchoredCopies() ?? []),
                        automata: compiled.map { $0.automaton?.automaton() })
        }
    }

    /// Every piece's anchored copy (``CompiledPattern/anchored``) compiled without its JIT code,
    /// in order, for a ``PackCache`` file, so that a warm start compiles none of them either (a
    /// piece that scans gets one too, unused, so that copy i is piece i's); nil when PCRE2
    /// refuses one.
    func anchoredCopies() -> [PCRE2Code]? {
        var copies: [PCRE2Code] = []
        for p in compiled {
            if let lazy = p.anchored {
                guard let copy = lazy.uncompiledCopy() else { return nil }
                copies.append(copy)
            } else {
                guard let copy = try? PCRE2Code(regex: p.def.regex, options: p.def.flags.compileOptions | UInt32(PCRE2_ANCHORED), jit: false) else { return nil }
                copies.append(copy)
            }
        }
        return copies
    }

    /// Checks pattern files as `glean patterns check` does: every fault of every file (not only
    /// the first), every pattern compiled on its own, then every example and counter-example of
    /// the patterns that compiled. Returns the set of the good patterns (nil if none) and the faults.
    public static func check(files: [String], limits: PatternLimits = PatternLimits()) -> (set: PatternSet?, errors: [PatternFileError]) {
        let (defs, readErrors) = PatternFile.checkPack(paths: files)
        var errors = readErrors
        var good: [PatternDefinition] = []
        var firstSeen: [String: PatternDefinition] = [:]
        for d in defs {
            if let first = firstSeen[d.name] {
                errors.append(PatternFileError(file: d.file, line: d.line, pattern: d.name,
                                               kind: .duplicateName(firstFile: first.file, firstLine: first.line)))
                continue
            }
            firstSeen[d.name] = d
            do {
                _ = try CompiledPattern(d, limits: limits)
                good.append(d)
            } catch {
                errors.append(error)
            }
        }
        guard !good.isEmpty, let set = try? PatternSet(definitions: good, limits: limits) else { return (nil, errors) }
        errors += set.checkExamples()
        return (set, errors)
    }

    /// Runs every pattern's `examples` and `not` (each pattern alone on each text): one fault per
    /// failing example, naming the file and line of the example.
    public func checkExamples() -> [PatternFileError] {
        var out: [PatternFileError] = []
        let scratch = PatternScratch(for: self)
        for (i, d) in definitions.enumerated() {
            func fail(_ line: Int?, _ m: String) {
                out.append(PatternFileError(file: d.file, line: line ?? d.line, pattern: d.name, kind: .example(m)))
            }
            for ex in d.examples {
                let (spans, warnings) = self.spans(ofPattern: i, in: ex.text, scratch: scratch)
                let bytes = Array(ex.text.utf8)
                let found = spans.map { (text: String(decoding: bytes[$0.matchStart..<$0.matchEnd], as: UTF8.self), value: $0.value) }
                let ok = found.count == ex.spans.count && zip(found, ex.spans).allSatisfy { f, e in
                    f.text == e.text && (e.value == nil || e.value == f.value)
                }
                if !ok {
                    func show(_ t: String, _ v: String?) -> String { "'\(t)'" + (v.map { " (value \($0))" } ?? "") }
                    fail(ex.line, "example \"\(ex.text)\": expected \(ex.spans.map { show($0.text, $0.value) }.joined(separator: ", ")), found \(found.isEmpty ? "nothing" : found.map { show($0.text, $0.value) }.joined(separator: ", "))")
                }
                for w in warnings { fail(ex.line, "example \"\(ex.text)\": warning \(w.reason)") }
            }
            for ce in d.counterExamples {
                let (spans, _) = self.spans(ofPattern: i, in: ce.text, scratch: scratch)
                if !spans.isEmpty {
                    let bytes = Array(ce.text.utf8)
                    let found = spans.map { "'" + String(decoding: bytes[$0.matchStart..<$0.matchEnd], as: UTF8.self) + "'" }
                    fail(ce.line, "counter-example \"\(ce.text)\": expected nothing, found \(found.joined(separator: ", "))")
                }
            }
        }
        return out
    }

    /// The spans of one pattern alone on a text (its language ignored): for examples and tests.
    public func spans(ofPattern index: Int, in text: String, scratch: PatternScratch? = nil) -> (spans: [Span], warnings: [Warning]) {
        let scratch = scratch ?? PatternScratch(for: self)
        var spans: [Span] = []
        var warnings: [Warning] = []
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { buf in
            compiled[index].run(in: buf, context: scratch.contexts[index], matchData: scratch.matchData, spans: &spans, warnings: &warnings)
        }
        return (spans, warnings)
    }

    /// The number of patterns.
    public var count: Int { compiled.count }

    /// Finds every pattern's matches in a text and appends them to `spans`, pattern by pattern.
    ///
    /// `text` must be valid UTF-8 (it is not checked again). `lang` selects the patterns for the
    /// document's language. A pattern that hits a limit adds a warning and stops on this text.
    public func findMatches(in text: UnsafeBufferPointer<UInt8>, lang: String, scratch: PatternScratch,
                            into spans: inout [Span], warnings: inout [Warning]) {
        precondition(scratch.owner === self, "a PatternScratch is made for one PatternSet")
        let present = ByteSet.present(in: text)
        if lang != scratch.lang {
            // Which patterns apply to the language, worked out once per language in a row.
            let lowerLang = lang.lowercased()
            for i in compiled.indices { scratch.langApplies[i] = compiled[i].applies(toLowercasedLang: lowerLang) }
            scratch.lang = lang
        }
        // Which patterns run on this document, and the filters and word groups they need.
        var activeFilters: UInt64 = 0, activeGroups: StartWordTable.Groups = 0
        // Which patterns pass the document's prefilters, one bit each.
        let runs = scratch.runs
        let pieceWords = plan.pieceWords
        runs.update(repeating: 0, count: pieceWords)
        let langApplies = scratch.langApplies
        let bytePositions = scratch.bytePositions
        bytePositions.reset()
        var met: UInt64 = 0
        for (k, set) in prefilterSets.enumerated() where set.intersects(present) { met |= 1 << UInt64(k) }
        prefilters.withUnsafeBufferPointer { prefilters in
        for i in prefilters.indices {
            let f = prefilters[i]
            // An empty text gives no span (empty matches are dropped): no pattern runs on it.
            guard langApplies[i] && !text.isEmpty && f.mayMatch(met: met, present: present, length: text.count, otherSets: prefilterOtherSets[i])
                && (!f.searchesStrings || compiled[i].holdsRequiredString(text, present: present, positions: bytePositions)) else { continue }
            runs[i >> 6] |= 1 << UInt64(i & 63)
            let slot = plan.slot[i]
            if slot >= 0 {
                if plan.isWords[i] { activeGroups |= 1 << slot } else { activeFilters |= UInt64(1) << UInt64(slot) }
            }
        }
        }
        if !text.isEmpty && spans.capacity < spans.count + 16 { spans.reserveCapacity(spans.count + 16) }
        if activeFilters != 0 || activeGroups != 0 {
            plan.candidates(in: text, filters: scratch.filterCandidates, words: scratch.wordCandidates,
                            activeFilters: activeFilters, activeGroups: activeGroups)
        }
        // The patterns to run, in their order: those that pass the prefilters and either scan or
        // have a filter or word group with candidates in this document. Most patterns that pass
        // the prefilters have none, and are passed over without being looked at.
        let pieces = scratch.pieces
        for w in 0..<pieceWords { pieces[w] = plan.scanPieces[w] }
        @inline(__always)
        func addPieces<Mask: FixedWidthInteger>(_ lists: CandidateLists, _ active: Mask, _ table: UnsafeBufferPointer<UInt64>) {
            var m = active
            while m != 0 {
                let k = m.trailingZeroBitCount
                if lists.counts[k] > 0 {
                    for w in 0..<pieceWords { pieces[w] |= table[k &* pieceWords &+ w] }
                }
                m &= m &- 1
            }
        }
        plan.filterPieces.withUnsafeBufferPointer { addPieces(scratch.filterCandidates, activeFilters, $0) }
        plan.groupPieces.withUnsafeBufferPointer { addPieces(scratch.wordCandidates, activeGroups, $0) }
        for w in 0..<pieceWords {
            var m = pieces[w] & runs[w]
            while m != 0 {
                let i = w &* 64 &+ m.trailingZeroBitCount
                m &= m &- 1
                let slot = plan.slot[i]
                if slot < 0 {
                    compiled[i].run(in: text, context: scratch.contexts[i], matchData: scratch.matchData, spans: &spans, warnings: &warnings)
                    continue
                }
                var list = plan.isWords[i] ? scratch.wordCandidates.buffer(slot) : scratch.filterCandidates.buffer(slot)
                if plan.windowed[i] {
                    PatternPlan.windows(before: list, in: text, analysis: compiled[i].start, into: scratch.windowCandidates)
                    list = scratch.windowCandidates.buffer(0)
                    if list.isEmpty { continue }
                }
                let startDFA = scratch.startDFA(i, candidates: list.count)
                if let startDFA {
                    // Most pieces that have candidates in a document match none of them: their
                    // automaton rejects every one here, before any PCRE2 state is set up.
                    guard let first = startDFA.firstPossibleStart(in: text, candidates: list) else { continue }
                    list = UnsafeBufferPointer(rebasing: list[first...])
                }
                compiled[i].run(in: text, context: scratch.contexts[i], matchData: scratch.matchData, candidates: list,
                                startDFA: startDFA, spans: &spans, warnings: &warnings)
            }
        }
    }

    /// Per pattern, as the stage runs it over `texts` (one thread): candidate positions tried,
    /// spans found and CPU seconds, for `glean patterns check --profile`.
    public func planProfile(texts: [[UInt8]], lang: String = "en") -> [(name: String, plan: String, candidates: Int, spans: Int, seconds: Double)] {
        let scratch = PatternScratch(for: self)
        var out = definitions.enumerated().map { (name: $0.element.name, plan: planDescription(pattern: $0.offset), candidates: 0, spans: 0, seconds: 0.0) }
        let lowerLang = lang.lowercased()
        var spans: [Span] = []
        var warnings: [Warning] = []
        for text in texts {
            text.withUnsafeBufferPointer { buf in
                let present = ByteSet.present(in: buf)
                plan.candidates(in: buf, filters: scratch.filterCandidates, words: scratch.wordCandidates)
                for (i, p) in compiled.enumerated() {
                    guard p.applies(toLowercasedLang: lowerLang), p.mayMatch(present: present, length: buf.count),
                          p.holdsRequiredString(buf, present: present) else { continue }
                    let slot = plan.slot[i]
                    spans.removeAll(keepingCapacity: true)
                    let c0 = threadCPUSeconds()
                    if slot < 0 {
                        p.run(in: buf, context: scratch.contexts[i], matchData: scratch.matchData, spans: &spans, warnings: &warnings)
                    } else {
                        var list = plan.isWords[i] ? scratch.wordCandidates.buffer(slot) : scratch.filterCandidates.buffer(slot)
                        if plan.windowed[i] {
                            PatternPlan.windows(before: list, in: buf, analysis: p.start, into: scratch.windowCandidates)
                            list = scratch.windowCandidates.buffer(0)
                        }
                        out[i].candidates += list.count
                        p.run(in: buf, context: scratch.contexts[i], matchData: scratch.matchData, candidates: list,
                              startDFA: scratch.startDFA(i, candidates: list.count), spans: &spans, warnings: &warnings)
                    }
                    out[i].seconds += threadCPUSeconds() - c0
                    out[i].spans += spans.count
                }
            }
        }
        return out
    }

    /// How the plan starts each pattern, for `glean patterns check --plan` and tests: `scan`,
    /// `bytes` (with the number of start bytes) or `words`.
    public func planDescription(pattern index: Int) -> String {
        let a = compiled[index].start
        let plan: String
        switch (a.kind, self.plan.slot[index] >= 0) {
        case (.scan, _), (_, false): return "scan"
        case (.bytes, true):
            plan = "bytes(\(a.first.count)\(a.excluded.isEmpty ? "" : ", not after \(a.excluded.count)"))"
        case (.words, true): plan = "words(\(Set(a.words).count))"
        case (.before, true): plan = "before(\(Set(a.words).count) words, within \(a.within))"
        }
        guard let automaton = compiled[index].automaton?.automaton() else { return plan + ", no start automaton" }
        return plan + ", start automaton(\(automaton.nfa.stateCount) states, \(automaton.classCount) byte classes)"
    }

    /// Adds the pattern stage's candidates to a document (`patternSpans`, `warnings`).
    public func apply(to document: inout Document, scratch: PatternScratch) {
        var spans = document.patternSpans
        var warnings = document.warnings
        document.text.withUnsafeBufferPointer { buf in
            findMatches(in: buf, lang: document.lang, scratch: scratch, into: &spans, warnings: &warnings)
        }
        document.patternSpans = spans
        document.warnings = warnings
    }

    /// Convenience for tools and tests: the spans and warnings for a string (makes its own scratch).
    public func matches(in text: String, lang: String = "en") -> (spans: [Span], warnings: [Warning]) {
        var spans: [Span] = []
        var warnings: [Warning] = []
        let bytes = Array(text.utf8)
        let scratch = PatternScratch(for: self)
        bytes.withUnsafeBufferPointer { buf in
            findMatches(in: buf, lang: lang, scratch: scratch, into: &spans, warnings: &warnings)
        }
        return (spans, warnings)
    }

    /// The raw global matches of one pattern (whole match and chosen group, UTF-8 byte offsets),
    /// with no prefilter: for differential tests against other PCRE2 front ends.
    /// `group` is the span as the stage makes it (lead words included).
    public func rawMatches(pattern index: Int, in text: UnsafeBufferPointer<UInt8>, scratch: PatternScratch)
        -> (matches: [(whole: Range<Int>, group: Range<Int>?)], warning: Warning?) {
        var out: [(Range<Int>, Range<Int>?)] = []
        let p = compiled[index]
        let warning = p.forEachMatch(in: text, context: scratch.contexts[index], matchData: scratch.matchData, candidates: nil) { whole, ov in
            var g = p.spanRange(ov)?.range
            if let r = g, !r.isEmpty, !p.leadWords.isEmpty {
                g = CompiledPattern.leadStart(r.lowerBound, words: p.leadWords, in: text)..<r.upperBound
            }
            out.append((whole, g))
        }
        return (out, warning)
    }
}

/// Per-thread matching state for one ``PatternSet``: PCRE2 match data sized for the set's largest
/// pattern, a match context per pattern (its limits) and one JIT stack.
///
/// Make one per worker thread and reuse it for every document: `let scratch = PatternScratch(for: set)`.
/// It is not thread-safe; the set it was made for is.
public final class PatternScratch: @unchecked Sendable {
    let owner: PatternSet
    let matchData: OpaquePointer
    let contexts: [OpaquePointer]
    let jitStack: OpaquePointer?
    /// The plan's candidate positions for the current document (reused).
    let filterCandidates: CandidateLists
    let wordCandidates: CandidateLists
    let windowCandidates = CandidateLists(count: 1)
    /// Where the rare bytes of required strings are in the current document.
    let bytePositions = BytePositions()
    /// Which patterns pass the current document's prefilters, and which may have candidates in
    /// it: bit i & 63 of word i >> 6 for pattern i.
    let runs: UnsafeMutablePointer<UInt64>
    let pieces: UnsafeMutablePointer<UInt64>
    /// Per pattern, this thread's deterministic states of its start automaton, made on the
    /// pattern's first candidate (nil: none, or not made yet where `startDFAMade` is false).
    @exclusivity(unchecked) private var startDFAs: [StartDFA?]
    @exclusivity(unchecked) private var startDFAMade: [Bool]
    /// Per pattern, the candidates this thread has tried without its automaton.
    @exclusivity(unchecked) private var candidatesTried: [Int]
    /// How many candidates a pattern tries with PCRE2 alone before this thread makes its start
    /// automaton's table. The automata themselves come with the pack's cache file (worked out
    /// once per set of pattern files), and a table costs a few microseconds, about what a
    /// handful of failed PCRE2 calls cost: so by default every pattern uses its automaton from
    /// its first candidate. (Without a cache directory each automaton is worked out from its
    /// regex on the pattern's first candidate, about a million instructions.)
    public let automatonAfter: Int
    public static let defaultAutomatonAfter = 0
    /// The language of the last document and which patterns apply to it.
    var lang: String? = nil
    let langApplies: UnsafeMutableBufferPointer<Bool>

    /// `automatonAfter`: see ``automatonAfter`` (0: every pattern uses its automaton at once).
    public init(for set: PatternSet, automatonAfter: Int = PatternScratch.defaultAutomatonAfter) {
        owner = set
        self.automatonAfter = automatonAfter
        startDFAs = Array(repeating: nil, count: set.compiled.count)
        startDFAMade = Array(repeating: false, count: set.compiled.count)
        candidatesTried = Array(repeating: 0, count: set.compiled.count)
        runs = .allocate(capacity: max(1, set.plan.pieceWords))
        runs.initialize(repeating: 0, count: max(1, set.plan.pieceWords))
        pieces = .allocate(capacity: max(1, set.plan.pieceWords))
        pieces.initialize(repeating: 0, count: max(1, set.plan.pieceWords))
        langApplies = UnsafeMutableBufferPointer<Bool>.allocate(capacity: set.compiled.count)
        langApplies.initialize(repeating: false)
        filterCandidates = CandidateLists(count: set.plan.filterCount)
        wordCandidates = CandidateLists(count: set.plan.wordGroupCount)
        matchData = pcre2_match_data_create_8(UInt32(set.maxCaptures + 1), nil)!
        let stack = pcre2_jit_stack_create_8(32 * 1024, max(32 * 1024, set.limits.jitStackKiB * 1024), nil)
        jitStack = stack
        contexts = set.compiled.map { p in
            let c = pcre2_match_context_create_8(nil)!
            pcre2_set_match_limit_8(c, p.matchLimit)
            pcre2_set_depth_limit_8(c, p.depthLimit)
            pcre2_set_heap_limit_8(c, p.heapLimit)
            if let stack { pcre2_jit_stack_assign_8(c, nil, UnsafeMutableRawPointer(stack)) }
            return c
        }
    }

    /// Pattern `i`'s start automaton for this thread, for `candidates` more candidates: nil until
    /// the pattern has tried ``automatonAfter`` candidates, then made once.
    func startDFA(_ i: Int, candidates: Int) -> StartDFA? {
        if startDFAMade[i] { return startDFAs[i] }
        candidatesTried[i] += candidates
        guard candidatesTried[i] > automatonAfter else { return nil }
        startDFAMade[i] = true
        startDFAs[i] = owner.compiled[i].automaton?.automaton().map(StartDFA.init)
        return startDFAs[i]
    }

    deinit {
        for c in contexts { pcre2_match_context_free_8(c) }
        runs.deallocate()
        pieces.deallocate()
        langApplies.deallocate()
        pcre2_match_data_free_8(matchData)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }
}

/// One compiled pattern with what matching needs precomputed.
final class CompiledPattern: @unchecked Sendable {
    let def: PatternDefinition
    let code: PCRE2Code
    let groupIndex: Int
    /// The `lead` group's number (-1: none).
    let leadIndex: Int
    /// Labelled branches: group number, span name, label, value kind, priority, lead group (-1: none).
    let branches: [(number: Int, name: String, label: String, value: ValueKind?, priority: Int, lead: Int)]
    /// Group numbers that are branches (not written under `groups`).
    let branchNumbers: Set<Int>
    /// The named groups written under `groups`: those that are not branches, in number order.
    let groupNames: [(number: Int, name: String)]
    /// Whether two of them share a name (`(?J)`): the first one set is written.
    let groupNamesRepeat: Bool
    let matchLimit: UInt32
    let depthLimit: UInt32
    let heapLimit: UInt32
    let langs: [String]
    /// Declared `requires` when every string is one byte: a byte set checked against the text's bytes.
    let requiredAnyByte: ByteSet?
    /// Declared `requires` otherwise: searched in the text.
    let requiredStrings: [RequiredString]
    /// Lead words (UTF-8), longest first.
    let leadWords: [[UInt8]]
    /// The lead words by their last byte (each list longest first).
    let leadWordsByLastByte: [[[UInt8]]]
    /// Where its matches can start.
    let start: StartAnalysis
    /// The regex compiled anchored (`PCRE2_ANCHORED` at compile time: PCRE2's JIT ignores it
    /// at match time), for the plan's calls at candidate positions, compiled on the first
    /// document that gives a candidate; nil: the plan scans.
    let anchored: LazyPCRE2Code?
    /// Rejects, before PCRE2 is called, the candidates where no match can start (nil: every
    /// candidate goes to PCRE2); only for patterns the plan runs at candidates.
    let automaton: LazyStartAutomaton?
    let firstCallLimit: UInt32
    let workPerByte: UInt64
    let workMinimum: UInt64

    /// `code`: the definition's regex compiled already, with its options (not JIT-compiled);
    /// `anchoredCode`: the same for the anchored copy.
    init(_ def: PatternDefinition, limits: PatternLimits, code given: PCRE2Code? = nil, anchoredCode anchoredGiven: PCRE2Code? = nil) throws(PatternFileError) {
        self.def = def
        do {
            // Not JIT-compiled yet: where the plan runs the anchored copy below, this one serves
            // only the analysis and the plain matching of examples and tests (the interpreter).
            if let given { code = given } else { code = try PCRE2Code(regex: def.regex, options: def.flags.compileOptions, jit: false) }
        } catch {
            throw PatternFileError(file: def.file, line: def.line, pattern: def.name,
                                   kind: .regex(message: error.message, offset: error.offset))
        }
        switch def.group {
        case .whole: groupIndex = 0
        case .number(let n):
            guard n <= code.captureCount else {
                throw PatternFileError(file: def.file, line: def.line, pattern: def.name, kind: .unknownGroup(String(n)))
            }
            groupIndex = n
        case .name(let s):
            guard let n = code.groupNumber(named: s) else {
                throw PatternFileError(file: def.file, line: def.line, pattern: def.name, kind: .unknownGroup(s))
            }
            groupIndex = n
        }
        leadIndex = try Self.number(of: def.lead, in: code, def)
        var branches: [(Int, String, String, ValueKind?, Int, Int)] = []
        for b in def.branches {
            let n = try Self.number(of: b.group, in: code, def)
            branches.append((n, def.name + "/" + b.group, b.label, b.value, b.priority ?? def.priority,
                             try Self.number(of: b.lead, in: code, def)))
        }
        self.branches = branches
        branchNumbers = Set(branches.map(\.0))
        let numbers = branchNumbers
        groupNames = code.names.filter { !numbers.contains($0.number) }
        groupNamesRepeat = Set(groupNames.map(\.name)).count != groupNames.count
        matchLimit = def.matchLimit ?? limits.matchLimit
        depthLimit = def.depthLimit ?? limits.depthLimit
        heapLimit = def.heapLimit ?? limits.heapLimit
        langs = def.lang.map { $0.lowercased() }
        leadWords = def.leadWords.map { Array($0.utf8) }
        var byLast = [[[UInt8]]](repeating: [], count: 256)
        for w in leadWords where !w.isEmpty { byLast[Int(w[w.count - 1])].append(w) }
        leadWordsByLastByte = byLast
        let analysis = StartAnalysis(regex: def.regex, code: code, startWords: def.startWords, startAfterWords: def.startAfterWords,
                                     startBeforeWords: def.startBeforeWords, startBeforeWithin: def.startBeforeWithin)
        // The anchored copy differs from the plain code, which compiled, by one option only.
        let anchoredCode = analysis.kind == .scan ? nil
            : LazyPCRE2Code(regex: def.regex, options: def.flags.compileOptions | UInt32(PCRE2_ANCHORED), jitAfter: limits.jitAfter,
                            precompiled: anchoredGiven)
        anchored = anchoredCode
        automaton = anchoredCode == nil ? nil : LazyStartAutomaton(regex: def.regex, options: def.flags.compileOptions)
        start = anchoredCode == nil ? StartAnalysis() : analysis
        if anchoredCode == nil { code.compileJIT() }
        firstCallLimit = min(limits.firstCallLimit, def.matchLimit ?? limits.matchLimit)
        workPerByte = limits.documentWorkPerByte
        workMinimum = limits.documentWorkMinimum
        let req = def.requires.map { Array($0.utf8) }
        if !req.isEmpty && req.allSatisfy({ $0.count == 1 }) {
            var set = ByteSet()
            for r in req { set.insert(r[0]) }
            requiredAnyByte = set
            requiredStrings = []
        } else {
            requiredAnyByte = nil
            requiredStrings = req.map(RequiredString.init)
        }
    }

    /// A named group's number (-1 for nil); an unknown name is an error of the pattern.
    static func number(of name: String?, in code: PCRE2Code, _ def: PatternDefinition) throws(PatternFileError) -> Int {
        guard let name else { return -1 }
        guard let n = code.groupNumber(named: name) else {
            throw PatternFileError(file: def.file, line: def.line, pattern: def.name, kind: .unknownGroup(name))
        }
        return n
    }

    /// `en` applies to `en`, `EN`, `en-AU`, `en_GB`; no langs: every document.
    func applies(toLang lang: String) -> Bool {
        applies(toLowercasedLang: lang.lowercased())
    }

    func applies(toLowercasedLang l: String) -> Bool {
        if langs.isEmpty { return true }
        for want in langs {
            if l == want { return true }
            if l.hasPrefix(want), let next = l.utf8.dropFirst(want.utf8.count).first, next == 0x2D || next == 0x5F {
                return true
            }
        }
        return false
    }

    /// False when the text cannot hold a match (too short, lacks the bytes a match needs, or
    /// holds none of the declared `requires` strings).
    func mayMatch(present: ByteSet, length: Int) -> Bool {
        if length < code.minLength { return false }
        if let f = code.firstBytes, !f.intersects(present) { return false }
        if let r = code.requiredBytes, !r.intersects(present) { return false }
        if let b = requiredAnyByte, !b.intersects(present) { return false }
        return true
    }

    /// The declared `requires` check that needs the text itself (multi-byte strings): whether
    /// the text, whose bytes are `present`, holds one of them.
    func holdsRequiredString(_ text: UnsafeBufferPointer<UInt8>, present: ByteSet) -> Bool {
        if requiredStrings.isEmpty { return true }
        for s in requiredStrings where s.isPresent(in: text, present: present) { return true }
        return false
    }

    /// The same, with the positions of rare bytes found once per text for every pattern.
    func holdsRequiredString(_ text: UnsafeBufferPointer<UInt8>, present: ByteSet, positions: BytePositions) -> Bool {
        if requiredStrings.isEmpty { return true }
        for s in requiredStrings where s.isPresent(in: text, present: present, positions: positions) { return true }
        return false
    }

    /// PCRE2's global matching (as `pcre2test /g` and pcre2demo do it), calling `body` with the
    /// whole match and the ovector for each non-empty match. Returns a warning if a limit or
    /// another matching error stopped it.
    ///
    /// With `candidates` (ascending positions where a match can start, ``StartAnalysis``) PCRE2
    /// runs anchored at each candidate at or after the end of the previous match instead of
    /// searching: the same matches, since no match starts elsewhere.
    @inline(__always)
    func forEachMatch(in text: UnsafeBufferPointer<UInt8>, context: OpaquePointer, matchData: OpaquePointer,
                      candidates: UnsafeBufferPointer<Int32>?, startDFA: StartDFA? = nil,
                      _ body: (Range<Int>, UnsafeMutablePointer<Int>) -> Void) -> Warning? {
        guard let base = text.baseAddress else { return nil }
        let length = text.count
        let ov = pcre2_get_ovector_pointer_8(matchData)!
        var budget = max(workMinimum, workPerByte &* UInt64(length))
        // One match call under the budget: first under a small limit; a call that needs more is
        // run again under larger ones, and what it was granted is counted.
        // The compiled codes as raw pointers (no reference counting per call); the context's
        // match limit is the first call's except while a call is retried under a larger one.
        let firstLimit = firstCallLimit
        let plainCode = self.code.code, plainJIT = self.code.jit
        // Should PCRE2 refuse the anchored copy (it compiled the same regex unanchored), the
        // interpreter runs the plain code anchored by a match-time option: the same matches.
        // Until the piece has made `jitAfter` interpreted calls the interpreter runs it so too.
        let anchoredCopy = candidates == nil ? nil : anchored?.compiledIfDue()
        var anchoredCode = anchoredCopy?.code ?? plainCode, anchoredJIT = anchoredCopy?.jit ?? false
        var anchoredOption: UInt32 = anchoredCopy == nil ? UInt32(PCRE2_ANCHORED) : 0
        var interpreting = anchoredCopy == nil && anchored != nil
        let interpretedCallsLeft = interpreting ? anchored?.interpretedCallsLeft ?? 0 : 0
        var interpretedCalls = 0
        defer { anchored?.recordInterpreted(interpretedCalls) }
        pcre2_set_match_limit_8(context, firstLimit)
        /// Moves the anchored calls from the interpreter to the copy (false: PCRE2 refused it).
        func useCopy() -> Bool {
            interpreting = false
            guard let copy = anchored?.compiled() else { return false }
            anchoredCode = copy.code
            anchoredJIT = copy.jit
            anchoredOption = 0
            return true
        }
        @inline(__always)
        func call(_ start: Int, _ options: UInt32, anchoredCode isAnchored: Bool = false) -> Int32 {
            if isAnchored && interpreting {
                if interpretedCalls < interpretedCallsLeft { interpretedCalls += 1 } else { _ = useCopy() }
            }
            var limit = firstLimit
            var code = isAnchored ? anchoredCode : plainCode
            var jit = isAnchored ? anchoredJIT : plainJIT
            var options = isAnchored ? options | anchoredOption : options
            while true {
                let rc: Int32
                if jit {
                    rc = pcre2_jit_match_8(code, base, length, start, options, matchData, context)
                } else {
                    rc = pcre2_match_8(code, base, length, start, options | UInt32(PCRE2_NO_UTF_CHECK), matchData, context)
                }
                if rc < 0 && rc != PCRE2_ERROR_NOMATCH && isAnchored && interpreting {
                    // Not settled by the interpreter: the copy is made now and the call made
                    // again with it, so limits and errors are those the copy gives.
                    if useCopy() {
                        code = anchoredCode
                        jit = anchoredJIT
                        options &= ~UInt32(PCRE2_ANCHORED)
                        continue
                    }
                }
                if limit != firstLimit { budget -= min(budget, UInt64(limit)) }
                guard rc == PCRE2_ERROR_MATCHLIMIT, limit < matchLimit else {
                    if limit != firstLimit { pcre2_set_match_limit_8(context, firstLimit) }
                    return rc
                }
                if budget == 0 {
                    pcre2_set_match_limit_8(context, firstLimit)
                    return budgetExceeded
                }
                limit = UInt32(min(UInt64(matchLimit), UInt64(limit) * 8, budget))
                pcre2_set_match_limit_8(context, limit)
            }
        }
        if let candidates {
            var next = 0
            for c in candidates {
                let p = Int(c)
                if p < next { continue }
                if let startDFA, !startDFA.mayMatch(base, at: p, count: length) { continue }
                var rc = call(p, 0, anchoredCode: true)
                if rc == PCRE2_ERROR_NOMATCH { continue }
                if rc < 0 { return Warning(stage: "patterns", name: def.name, reason: Self.reason(rc)) }
                if ov[0] == ov[1] && ov[0] == p {
                    // An empty match: global matching tries a non-empty one at the same place.
                    rc = call(p, UInt32(PCRE2_NOTEMPTY_ATSTART), anchoredCode: true)
                    if rc == PCRE2_ERROR_NOMATCH { continue }
                    if rc < 0 { return Warning(stage: "patterns", name: def.name, reason: Self.reason(rc)) }
                }
                let s = ov[0], e = ov[1]
                if s > e {
                    return Warning(stage: "patterns", name: def.name, reason: "match start after its end (\\K in an assertion)")
                }
                if s == e {
                    // Empty but not at the start of the attempt (\\K): global matching goes on after it.
                    next = e == p ? p + 1 : e
                    continue
                }
                body(s..<e, ov)
                next = e
            }
            return nil
        }
        var start = 0
        var options: UInt32 = 0
        while start <= length {
            let rc = call(start, options)
            if rc == PCRE2_ERROR_NOMATCH {
                if options == 0 { break }
                // After an empty match no non-empty one starts here: step one whole character.
                var next = start + 1
                while next < length && base[next] & 0xC0 == 0x80 { next += 1 }
                start = next
                options = 0
                continue
            }
            if rc < 0 {
                return Warning(stage: "patterns", name: def.name, reason: Self.reason(rc))
            }
            let s = ov[0], e = ov[1]
            if s > e {
                // \K in a lookahead can set the start after the end; PCRE2's demo stops there too.
                return Warning(stage: "patterns", name: def.name, reason: "match start after its end (\\K in an assertion)")
            }
            if s == e {
                if e == length { break }
                options = UInt32(PCRE2_NOTEMPTY_ATSTART) | UInt32(PCRE2_ANCHORED)
            } else {
                body(s..<e, ov)
                options = 0
            }
            start = e
        }
        return nil
    }

    /// The code ``forEachMatch`` returns when the document's work budget is spent.
    let budgetExceeded: Int32 = -10_000

    /// The span of one match: the chosen group (or the branch that matched), its start moved back
    /// to the lead group's when that is set and earlier; nil when the group is unset.
    @inline(__always)
    func spanRange(_ ov: UnsafeMutablePointer<Int>) -> (range: Range<Int>, branch: Int)? {
        var g = groupIndex, lead = leadIndex, branch = -1
        if !branches.isEmpty {
            guard let b = branches.firstIndex(where: { ov[2 * $0.number] != pcre2Unset }) else { return nil }
            g = branches[b].number
            lead = branches[b].lead
            branch = b
        }
        var s = ov[2 * g]
        let e = ov[2 * g + 1]
        guard s != pcre2Unset else { return nil }
        if lead >= 0, ov[2 * lead] != pcre2Unset, ov[2 * lead] < s { s = ov[2 * lead] }
        return (s..<max(s, e), branch)
    }

    func run(in text: UnsafeBufferPointer<UInt8>, context: OpaquePointer, matchData: OpaquePointer,
             candidates: UnsafeBufferPointer<Int32>? = nil, startDFA: StartDFA? = nil, spans: inout [Span], warnings: inout [Warning]) {
        let names = groupNames, namesRepeat = groupNamesRepeat
        let warning = forEachMatch(in: text, context: context, matchData: matchData, candidates: candidates, startDFA: startDFA) { _, ov in
            guard let r = spanRange(ov) else { return }
            var s = r.range.lowerBound
            let e = r.range.upperBound, bi = r.branch
            var label = def.label, name = def.name, kind = def.value, priority = def.priority
            if bi >= 0 {
                let b = branches[bi]
                label = b.label
                name = b.name
                kind = b.value
                priority = b.priority
            }
            guard s < e else { return }
            if !leadWords.isEmpty, s >= 2 { s = Self.leadStart(s, words: leadWordsByLastByte[Int(text[s - 2])], in: text) }
            var groups: [NamedGroup] = []
            if !names.isEmpty {
                groups.reserveCapacity(names.count)
                for (number, groupName) in names {
                    let gs = ov[2 * number], ge = ov[2 * number + 1]
                    guard gs != pcre2Unset, gs <= ge else { continue }
                    if namesRepeat && groups.contains(where: { $0.name == groupName }) { continue }  // (?J) duplicates: first set
                    groups.append(NamedGroup(name: groupName, value: String(decoding: UnsafeBufferPointer(rebasing: text[gs..<ge]), as: UTF8.self)))
                }
            }
            var value: String? = nil
            if let kind {
                let whole = String(decoding: UnsafeBufferPointer(rebasing: text[s..<e]), as: UTF8.self)
                value = ValueNormaliser.value(kind, groups: groups, text: whole)
            }
            spans.append(Span(matchStart: s, matchEnd: e, label: label, source: .pattern, name: name,
                              groups: groups, value: value, priority: priority))
        }
        if let warning { warnings.append(warning) }
    }

    /// The start of a span moved back over a lead word: the longest of `words` (sorted longest
    /// first) that ends one space before `s` and starts at a word boundary.
    static func leadStart(_ s: Int, words: [[UInt8]], in text: UnsafeBufferPointer<UInt8>) -> Int {
        guard s >= 2, text[s - 1] == 0x20 else { return s }
        let last = text[s - 2]
        for w in words where w.count + 1 <= s && w[w.count - 1] == last {
            let from = s - 1 - w.count
            var k = 0
            while k < w.count && text[from + k] == w[k] { k += 1 }
            guard k == w.count else { continue }
            if from > 0 && WordCharacter.endsWithWordCharacter(text, before: from) { continue }
            return from
        }
        return s
    }

    static func reason(_ rc: Int32) -> String {
        switch rc {
        case PCRE2_ERROR_MATCHLIMIT: "match limit exceeded (catastrophic backtracking?); pattern stopped on this text"
        case PCRE2_ERROR_DEPTHLIMIT: "depth limit exceeded; pattern stopped on this text"
        case PCRE2_ERROR_HEAPLIMIT: "heap limit exceeded; pattern stopped on this text"
        case PCRE2_ERROR_JIT_STACKLIMIT: "JIT stack limit exceeded; pattern stopped on this text"
        case -10_000: "work budget for this document exceeded (a regex that is slow at many positions, such as a recursion); pattern stopped on this text"
        default: "PCRE2: \(PCRE2Code.message(rc)); pattern stopped on this text"
        }
    }
}

/// Word characters as PCRE2's `\b` sees them with UCP: letters, digits, marks and connector
/// punctuation (`_`).
enum WordCharacter {
    /// Whether the character that ends at `before` (exclusive) in valid UTF-8 is a word character.
    static func endsWithWordCharacter(_ text: UnsafeBufferPointer<UInt8>, before end: Int) -> Bool {
        guard end > 0 else { return false }
        let last = text[end - 1]
        if last < 0x80 {
            return (last >= 0x30 && last <= 0x39) || (last | 0x20 >= 0x61 && last | 0x20 <= 0x7A) || last == 0x5F
        }
        var start = end - 1
        while start > 0 && text[start] & 0xC0 == 0x80 { start -= 1 }
        var decoder = UTF8()
        var it = UnsafeBufferPointer(rebasing: text[start..<end]).makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&it) else { return false }
        let p = scalar.properties
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark,
             .connectorPunctuation:
            return true
        default:
            return false
        }
    }
}

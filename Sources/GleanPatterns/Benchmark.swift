#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import GleanCore

/// What ``PatternSet/benchmark(texts:lang:rounds:)`` measured: the stage's throughput on one
/// thread and the time each pattern took, each the median of `rounds` rounds of wall-clock time
/// (the statistic of every figure `glean bench` reports).
///
/// ```swift
/// let r = try PatternSet.defaultPack().benchmark(texts: docs, rounds: 5)
/// for (name, seconds) in r.slowest { print(name, seconds) }
/// ```
public struct PatternBenchmark: Sendable {
    /// MB (10^6 bytes) of text per second through the whole stage (prefilter included), one
    /// thread, median round.
    public var mbPerSecond: Double
    /// Bytes of text per round.
    public var bytes: Int
    public var rounds: Int
    /// Spans found per round (the same in every round).
    public var spans: Int
    /// Every pattern's own time per round (seconds, median round), run as the stage runs it (at
    /// its planned candidates, with its start automaton); the per-document prefilter and
    /// candidate pass, shared by all patterns, are not included. Slowest first.
    public var perPattern: [(name: String, seconds: Double)]
    /// Spans the patterns found when timed one by one (per round): equal to `spans`, or the
    /// per-pattern runs did other work than the stage.
    public var perPatternSpans: Int
    /// The ten slowest patterns.
    public var slowest: [(name: String, seconds: Double)] { Array(perPattern.prefix(10)) }
}

extension PatternSet {
    /// Runs the stage over `texts` (each valid UTF-8) `rounds` times on the calling thread and
    /// reports the median round's MB/s, then times each pattern on its own (with the same
    /// prefilter, candidates and start automaton) to rank the slowest.
    ///
    /// ```swift
    /// let r = set.benchmark(texts: docs.map { Array($0.utf8) }, rounds: 5)
    /// print(r.mbPerSecond, r.slowest.first?.name ?? "")
    /// ```
    public func benchmark(texts: [[UInt8]], lang: String = "en", rounds: Int = 3) -> PatternBenchmark {
        let scratch = PatternScratch(for: self)
        let bytes = texts.reduce(0) { $0 + $1.count }
        var spans: [Span] = []
        var warnings: [Warning] = []
        var times: [Double] = []
        var spanCount = 0
        for _ in 0..<max(1, rounds) {
            var n = 0
            let t0 = DispatchTime.now().uptimeNanoseconds
            for text in texts {
                spans.removeAll(keepingCapacity: true)
                warnings.removeAll(keepingCapacity: true)
                text.withUnsafeBufferPointer { buf in
                    findMatches(in: buf, lang: lang, scratch: scratch, into: &spans, warnings: &warnings)
                }
                n += spans.count
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            spanCount = n
        }
        // Each pattern on its own, as the stage runs it: on the texts its prefilter lets through,
        // at the candidates the plan gives it (nil: it scans the text), with its start automaton.
        let present = texts.map { t in t.withUnsafeBufferPointer { ByteSet.present(in: $0) } }
        var planned = [[(text: Int, candidates: [Int32]?)]](repeating: [], count: compiled.count)
        for (k, text) in texts.enumerated() {
            text.withUnsafeBufferPointer { buf in
                guard !buf.isEmpty else { return }
                plan.candidates(in: buf, filters: scratch.filterCandidates, words: scratch.wordCandidates)
                for (i, p) in compiled.enumerated() {
                    guard p.applies(toLang: lang), p.mayMatch(present: present[k], length: buf.count),
                          p.holdsRequiredString(buf, present: present[k]) else { continue }
                    let slot = plan.slot[i]
                    guard slot >= 0 else { planned[i].append((k, nil)); continue }
                    var list = plan.isWords[i] ? scratch.wordCandidates.buffer(slot) : scratch.filterCandidates.buffer(slot)
                    if plan.windowed[i] {
                        PatternPlan.windows(before: list, in: buf, analysis: p.start, into: scratch.windowCandidates)
                        list = scratch.windowCandidates.buffer(0)
                    }
                    if !list.isEmpty { planned[i].append((k, Array(list))) }
                }
            }
        }
        var per: [(String, Double)] = []
        var perPatternSpans = 0
        for (i, p) in compiled.enumerated() {
            var patternTimes: [Double] = []
            for round in 0..<max(1, rounds) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                for (k, candidates) in planned[i] {
                    spans.removeAll(keepingCapacity: true)
                    texts[k].withUnsafeBufferPointer { buf in
                        if let candidates {
                            candidates.withUnsafeBufferPointer { list in
                                p.run(in: buf, context: scratch.contexts[i], matchData: scratch.matchData, candidates: list,
                                      startDFA: scratch.startDFA(i, candidates: list.count), spans: &spans, warnings: &warnings)
                            }
                        } else {
                            p.run(in: buf, context: scratch.contexts[i], matchData: scratch.matchData,
                                  spans: &spans, warnings: &warnings)
                        }
                    }
                    if round == 0 { perPatternSpans += spans.count }
                }
                patternTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            per.append((p.def.name, medianOfRounds(patternTimes)))
        }
        per.sort { $0.1 > $1.1 }
        return PatternBenchmark(mbPerSecond: Double(bytes) / 1e6 / max(medianOfRounds(times), 1e-9), bytes: bytes,
                                rounds: rounds, spans: spanCount, perPattern: per, perPatternSpans: perPatternSpans)
    }
}

/// The median of per-round times (the mean of the two middle ones for an even count).
func medianOfRounds(_ times: [Double]) -> Double {
    let s = times.sorted()
    guard !s.isEmpty else { return 0 }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// CPU time of the calling thread, in seconds (for `glean patterns check --profile`).
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

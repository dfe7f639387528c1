import Dispatch
import GleanCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What ``PatternSet/benchmark(texts:lang:rounds:)`` measured: the stage's throughput on one
/// thread and the time each pattern took.
///
/// `mbPerSecond` is wall-clock (what a user sees on an idle core); `mbPerCPUSecond` divides by the
/// thread's CPU time, which stays meaningful on a shared, busy machine.
///
/// ```swift
/// let r = try PatternSet.defaultPack().benchmark(texts: docs, rounds: 5)
/// for (name, seconds) in r.slowest { print(name, seconds) }
/// ```
public struct PatternBenchmark: Sendable {
    /// MB (10^6 bytes) of text per wall-clock second through the whole stage (prefilter
    /// included), one thread, best round.
    public var mbPerSecond: Double
    /// MB per second of the thread's CPU time, best round.
    public var mbPerCPUSecond: Double
    /// Bytes of text per round.
    public var bytes: Int
    public var rounds: Int
    /// Spans found per round.
    public var spans: Int
    /// Every pattern's own time per round (seconds of CPU time, best round; the per-document
    /// prefilter scan is not included), slowest first.
    public var perPattern: [(name: String, seconds: Double)]
    /// The ten slowest patterns.
    public var slowest: [(name: String, seconds: Double)] { Array(perPattern.prefix(10)) }
}

extension PatternSet {
    /// Runs the stage over `texts` (each valid UTF-8) `rounds` times on the calling thread and
    /// reports the best round's MB/s, then times each pattern on its own (with the same prefilter)
    /// to rank the slowest.
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
        var bestWall = Double.infinity
        var bestCPU = Double.infinity
        var spanCount = 0
        for _ in 0..<max(1, rounds) {
            var n = 0
            let t0 = DispatchTime.now().uptimeNanoseconds
            let c0 = threadCPUSeconds()
            for text in texts {
                spans.removeAll(keepingCapacity: true)
                warnings.removeAll(keepingCapacity: true)
                text.withUnsafeBufferPointer { buf in
                    findMatches(in: buf, lang: lang, scratch: scratch, into: &spans, warnings: &warnings)
                }
                n += spans.count
            }
            bestCPU = min(bestCPU, threadCPUSeconds() - c0)
            bestWall = min(bestWall, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            spanCount = n
        }
        let present = texts.map { t in t.withUnsafeBufferPointer { ByteSet.present(in: $0) } }
        var per: [(String, Double)] = []
        for (i, p) in compiled.enumerated() {
            var best = Double.infinity
            for _ in 0..<max(1, rounds) {
                let c0 = threadCPUSeconds()
                for (k, text) in texts.enumerated() {
                    spans.removeAll(keepingCapacity: true)
                    text.withUnsafeBufferPointer { buf in
                        guard p.applies(toLang: lang), p.mayMatch(present: present[k], length: buf.count),
                              p.holdsRequiredString(buf) else { return }
                        p.run(in: buf, context: scratch.contexts[i], matchData: scratch.matchData,
                              spans: &spans, warnings: &warnings)
                    }
                }
                best = min(best, threadCPUSeconds() - c0)
            }
            per.append((p.def.name, best))
        }
        per.sort { $0.1 > $1.1 }
        return PatternBenchmark(mbPerSecond: Double(bytes) / 1e6 / bestWall,
                                mbPerCPUSecond: Double(bytes) / 1e6 / max(bestCPU, 1e-9), bytes: bytes,
                                rounds: rounds, spans: spanCount, perPattern: per)
    }
}

/// CPU time used by the calling thread, in seconds.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

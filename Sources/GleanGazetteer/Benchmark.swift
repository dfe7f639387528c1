import Foundation
import GleanCore

/// Figures of one gazetteer benchmark run (`glean bench`, `glean gazetteer bench`), e.g. one
/// million names: compile 2.5 s of CPU, 136 MB, load 25 ms, matching 250 MB/s per core.
public struct GazetteerBenchmarkResult: Sendable {
    public var names: Int
    /// Seconds to compile the entries (tokenize names, fold, build the trie, write the image).
    public var compileSeconds: Double
    public var bytes: Int
    /// Seconds to map and validate the compiled file, checksum included.
    public var loadSeconds: Double
    /// The same, header and bounds only (what `verifyChecksum: false` costs).
    public var loadSecondsWithoutChecksum: Double
    /// Compile time as CPU time of the compiling thread (less sensitive to other load).
    public var compileCPUSeconds: Double
    /// Matching throughput over tokenized text (UTF-8 bytes of text / 10^6 per second of the
    /// median round, one thread).
    public var matchMBps: Double
    public var textBytes: Int
    public var matches: Int
    /// Folding and keying the tokens alone, MB/s (median round) (the part of matching that does not
    /// depend on the dictionary's size).
    public var keyMBps: Double
    /// A byte loop counting spaces over the same text, MB/s: a yardstick of the machine's state
    /// (on a quiet machine of the project's kind it runs at about 2,800 MB/s).
    public var byteLoopMBps: Double
}

/// A matching round found other matches than the first: the benchmark would hide lost work.
public struct GazetteerBenchmarkError: Error, CustomStringConvertible {
    public var description: String
}

/// Entry points for the gazetteer benchmark: synthetic dictionaries built from real names, and a
/// measurement of compile time, load time and matching speed.
///
/// ```swift
/// let entries = GazetteerBenchmark.syntheticEntries(count: 1_000_000, from: realNames)
/// let r = try GazetteerBenchmark.measure(entries: entries, documents: tokenizedDocs, tokenize: tokenize)
/// print(r.compileSeconds, r.loadSeconds, r.matchMBps)
/// ```
public enum GazetteerBenchmark {
    /// `count` entries: all of `base` (real names) first, then synthetic multi-word names made by
    /// joining two or three words of real names ("Lake Sydney Springs"), seeded and reproducible.
    public static func syntheticEntries(count: Int, from base: [GazetteerEntry], seed: UInt64 = 1) -> [GazetteerEntry] {
        var result = Array(base.prefix(count))
        guard result.count < count else { return result }
        var words: [String] = []
        var seen = Set<String>()
        for e in base {
            for w in e.name.split(separator: " ") where w.count > 2 && seen.insert(String(w)).inserted { words.append(String(w)) }
        }
        if words.isEmpty { words = ["North", "South", "Lake", "Port", "Saint", "Mount"] }
        var state = seed
        func next() -> Int {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
        }
        let labels = ["GPE", "LOC", "ORG", "FAC"]
        var k = 0
        while result.count < count {
            let n = 2 + next() % 2
            let name = (0..<n).map { _ in words[next() % words.count] }.joined(separator: " ")
            result.append(GazetteerEntry(name: name, label: labels[next() % labels.count], kbId: "SYN:\(k)"))
            k += 1
        }
        return result
    }

    /// Compiles `entries` (once), writes the image to a temporary file, maps it back (five times),
    /// and matches the tokenized `documents` (at least three rounds and `minimumSeconds`); load
    /// and matching figures are the median round, every matching round checked to find the same
    /// matches.
    public static func measure(entries: [GazetteerEntry], documents: [Document], tokenize: NameTokenizer,
                               options: GazetteerCompileOptions = GazetteerCompileOptions(),
                               minimumSeconds: Double = 1.0) throws -> GazetteerBenchmarkResult {
        let clock = ContinuousClock()
        var image: [UInt8] = []
        let cpuBefore = threadCPUSeconds()
        let compile = try clock.measure {
            image = try GazetteerCompiler.compile(entries, options: options, tokenize: tokenize).image
        }
        let compileCPU = threadCPUSeconds() - cpuBefore
        let path = NSTemporaryDirectory() + "glean-bench-\(getpid())-\(entries.count).glz"
        try Data(image).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        image = []
        var gazetteer: Gazetteer? = nil
        // Loads, matching and the yardsticks: the median of the rounds, wall-clock.
        var loadFast: [Double] = [], load: [Double] = []
        for _ in 0..<5 {
            gazetteer = nil
            loadFast.append(seconds(try clock.measure { gazetteer = try Gazetteer.load(path: path, verifyChecksum: false) }))
            gazetteer = nil
            load.append(seconds(try clock.measure { gazetteer = try Gazetteer.load(path: path, verifyChecksum: true) }))
        }
        let g = gazetteer!
        let textBytes = documents.reduce(0) { $0 + $1.text.count }
        var spans: [Span] = []
        spans.reserveCapacity(1 << 16)
        var matchTimes: [Double] = []
        var matches: Int? = nil
        let scratch = GazetteerScratch()
        var elapsed = 0.0
        repeat {
            var n = 0
            let t = seconds(clock.measure {
                for d in documents {
                    spans.removeAll(keepingCapacity: true)
                    g.findMatches(in: d, into: &spans, scratch: scratch)
                    n += spans.count
                }
            })
            // Every round must find the same matches: a faster round cannot have lost some.
            if let matches, matches != n {
                throw GazetteerBenchmarkError(description: "gazetteer benchmark: \(n) matches in a round, \(matches) in the first")
            }
            matches = n
            matchTimes.append(t)
            elapsed += t
        } while elapsed < minimumSeconds || matchTimes.count < 3
        let rounds = matchTimes.count
        // Yardsticks over the same text: keying the tokens alone, and a plain byte loop (the
        // machine's state: compare runs by these, not only by the absolute figures).
        var sink: UInt64 = 0
        var keyTimes: [Double] = [], loopTimes: [Double] = []
        for _ in 0..<rounds {
            keyTimes.append(seconds(clock.measure {
                for d in documents {
                    d.text.withUnsafeBufferPointer { t in
                        d.tokens.withUnsafeBufferPointer { toks in
                            for tok in toks where tok.kind != .space && tok.end <= t.count {
                                sink &+= TokenKey.key(t.baseAddress! + tok.start, tok.end - tok.start, readable: t.count - tok.start,
                                                      options: g.image.foldOptions).key
                            }
                        }
                    }
                }
            }))
            loopTimes.append(seconds(clock.measure {
                for d in documents {
                    d.text.withUnsafeBufferPointer { t in for b in t where b == 32 { sink &+= 1 } }
                }
            }))
        }
        if sink == 42 { FileHandle.standardError.write(Data(" ".utf8)) }  // keeps the loops
        return GazetteerBenchmarkResult(names: entries.count, compileSeconds: seconds(compile), bytes: try fileSize(path),
                                        loadSeconds: median(load), loadSecondsWithoutChecksum: median(loadFast),
                                        compileCPUSeconds: compileCPU,
                                        matchMBps: Double(textBytes) / max(median(matchTimes), 1e-9) / 1e6,
                                        textBytes: textBytes, matches: matches ?? 0,
                                        keyMBps: Double(textBytes) / max(median(keyTimes), 1e-9) / 1e6,
                                        byteLoopMBps: Double(textBytes) / max(median(loopTimes), 1e-9) / 1e6)
    }

    /// The median of per-round times (the mean of the two middle ones for an even count).
    static func median(_ times: [Double]) -> Double {
        let s = times.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// CPU time of the calling thread.
    public static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }
}

import Dispatch
import Foundation
import GleanCore
import GleanIO
import GleanNames
import GleanSegment

/// `glean bench`'s harness: the throughput of each public stage, of the record path that
/// `glean annotate` runs per record, and of the whole ``Pipeline``, in this process.
///
/// Every row runs one warm-up round and `rounds` timed rounds and reports the **median** round,
/// in MB/s of document text (10^6 UTF-8 bytes). Every round's counts (documents, tokens,
/// sentences, entities) are checked against a reference run of the ``Pipeline`` (one thread, to
/// /dev/null) made first: a row that loses work fails with ``BenchmarkCountMismatch`` instead of
/// reporting a faster number.
///
/// Rows (`id`, for ``BenchmarkOptions/only`` and `Benchmarks/callgrind.sh`):
/// - `record`: ``RecordProcessor/process(_:line:offset:output:errors:stats:)`` over every record,
///   one thread: decode (UTF-8 check, JSON), annotate, write the JSONL record;
/// - `tokens`, `tokens-icu`: ``Segmenter`` words with its fast paths and with ICU alone;
/// - `sentences`, `sentences-icu`: ``Segmenter/addSentences(_:)`` with and without its fast path;
/// - `stage-N`: the N-th annotation stage's worker (patterns, gazetteer ...);
/// - `resolution`: the configuration's ``ResolutionPolicy`` over the stages' candidates;
/// - `pipeline-T`, `pipeline-T-file`: ``Pipeline/run()`` from a JSONL file to /dev/null (or a
///   file) with T threads.
///
/// ```swift
/// var options = BenchmarkOptions()
/// options.corpusFiles = ["corpora/sample/news.jsonl"]
/// let report = try Benchmark(configuration: AnnotatorConfiguration(), options: options).run()
/// print(report.table())
/// ```
public struct BenchmarkOptions: Sendable {
    public var corpusFiles: [String] = []
    /// The corpus is repeated until it holds at least this many bytes of JSONL.
    public var targetBytes = 20_000_000
    /// Timed rounds per row, after one warm-up round.
    public var rounds = 3
    public var threadCounts: [Int] = Array(Set([1, 2, ProcessInfo.processInfo.activeProcessorCount])).sorted()
    public var endToEnd = true
    /// Only the rows with these ids (nil: all).
    public var only: Set<String>? = nil
    public init() {}
}

/// What a row produced in one round; nil where the row does not produce it.
public struct BenchmarkCounts: Sendable, Equatable, CustomStringConvertible {
    public var documents: Int?
    public var tokens: Int?
    public var sentences: Int?
    public var entities: Int?
    /// Other output (candidate spans, bytes written): checked round against round only.
    public var other: Int?

    public init(documents: Int? = nil, tokens: Int? = nil, sentences: Int? = nil, entities: Int? = nil, other: Int? = nil) {
        self.documents = documents
        self.tokens = tokens
        self.sentences = sentences
        self.entities = entities
        self.other = other
    }

    /// Whether every count this row has equals the reference's.
    func agrees(with reference: BenchmarkCounts) -> Bool {
        func same(_ a: Int?, _ b: Int?) -> Bool { a == nil || b == nil || a == b }
        return same(documents, reference.documents) && same(tokens, reference.tokens)
            && same(sentences, reference.sentences) && same(entities, reference.entities) && same(other, reference.other)
    }

    public var description: String {
        [("documents", documents), ("tokens", tokens), ("sentences", sentences), ("entities", entities), ("other", other)]
            .compactMap { name, v in v.map { "\($0) \(name)" } }.joined(separator: ", ")
    }
}

/// A row whose counts differ from the reference run's (or from its own first round's).
public struct BenchmarkCountMismatch: Error, CustomStringConvertible {
    public var row: String
    public var expected: BenchmarkCounts
    public var got: BenchmarkCounts
    public var description: String { "benchmark row \"\(row)\" lost or added work: expected \(expected), got \(got)" }
}

/// One measured row.
public struct BenchmarkRow: Sendable {
    public var id: String
    public var name: String
    /// Seconds of each timed round, in the order run.
    public var rounds: [Double]
    /// Bytes of document text per round.
    public var bytes: Int
    public var counts: BenchmarkCounts
    public var threads = 1
    /// Median over the one-thread row of the same kind.
    public var speedup: Double? = nil

    /// The median round (the mean of the two middle ones for an even count).
    public var median: Double {
        let s = rounds.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    public var megabytesPerSecond: Double { median > 0 ? Double(bytes) / 1e6 / median : 0 }
}

/// Extra measurements a stage reports (dictionary compile and load times, slowest patterns).
public struct BenchmarkNote: Sendable {
    public var section: String
    public var name: String
    public var value: String
    public init(section: String, name: String, value: String) {
        self.section = section
        self.name = name
        self.value = value
    }
}

public struct BenchmarkReport: Sendable {
    public var corpusBytes = 0
    public var textBytes = 0
    public var documents = 0
    public var rounds = 0
    /// The reference run's counts, which every row is checked against.
    public var reference = BenchmarkCounts()
    public var stages: [BenchmarkRow] = []
    public var endToEnd: [BenchmarkRow] = []
    public var notes: [BenchmarkNote] = []
    public var peakResidentBytes = 0
    public var date = ""
    public var machine = ""
}

/// A stage that adds its own measurements to `glean bench` (the slowest patterns).
public protocol BenchmarkedStage: AnnotationStage {
    func benchmarkNotes(texts: [[UInt8]]) -> [BenchmarkNote]
}

public final class Benchmark {
    let configuration: AnnotatorConfiguration
    let options: BenchmarkOptions
    let progress: (String) -> Void

    public init(configuration: AnnotatorConfiguration, options: BenchmarkOptions, progress: @escaping (String) -> Void = { _ in }) {
        self.configuration = configuration
        self.options = options
        self.progress = progress
    }

    /// Reads the corpus files (JSONL) and repeats their lines to the target size.
    func loadCorpus() throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for file in options.corpusFiles {
            guard let data = FileManager.default.contents(atPath: file) else { throw InputError("\(file): cannot read") }
            for line in data.split(separator: 0x0A) where !line.isEmpty { lines.append(Array(line)) }
        }
        guard !lines.isEmpty else { throw InputError("the benchmark corpus is empty") }
        var corpus: [[UInt8]] = []
        var bytes = 0
        repeat {
            for line in lines {
                corpus.append(line)
                bytes += line.count + 1
            }
        } while bytes < options.targetBytes
        return corpus
    }

    /// One round of a row: the function `Benchmarks/callgrind.sh` counts instructions in
    /// (`--toggle-collect=*timedRound*`), so it must stay a call of its own.
    @inline(never)
    static func timedRound(_ body: () throws -> BenchmarkCounts) rethrows -> (seconds: Double, counts: BenchmarkCounts) {
        let start = DispatchTime.now().uptimeNanoseconds
        let counts = try body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, counts)
    }

    func wanted(_ id: String) -> Bool { options.only.map { $0.contains(id) } ?? true }

    /// A warm-up round, then `rounds` timed rounds, each checked against `expected` and against
    /// the warm-up's counts.
    func measure(_ id: String, _ name: String, bytes: Int, expected: BenchmarkCounts,
                 _ body: () throws -> BenchmarkCounts) throws -> BenchmarkRow {
        progress("\(name): warm-up")
        let first = try Self.timedRound(body).counts
        guard first.agrees(with: expected) else { throw BenchmarkCountMismatch(row: name, expected: expected, got: first) }
        var times: [Double] = []
        for round in 1...max(1, options.rounds) {
            progress("\(name): round \(round) of \(options.rounds)")
            let (seconds, counts) = try Self.timedRound(body)
            guard counts == first else { throw BenchmarkCountMismatch(row: name, expected: first, got: counts) }
            times.append(seconds)
        }
        return BenchmarkRow(id: id, name: name, rounds: times, bytes: bytes, counts: first)
    }

    public func run() throws -> BenchmarkReport {
        var report = BenchmarkReport()
        report.date = ISO8601DateFormatter().string(from: Date())
        report.machine = Self.machineDescription()
        report.rounds = options.rounds
        progress("loading the corpus")
        let corpus = try loadCorpus()
        report.corpusBytes = corpus.reduce(0) { $0 + $1.count + 1 }
        report.documents = corpus.count
        let annotator = try Annotator(configuration: configuration)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glean-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("corpus.jsonl").path
        var data = [UInt8]()
        data.reserveCapacity(report.corpusBytes)
        for line in corpus { data.append(contentsOf: line); data.append(0x0A) }
        guard FileManager.default.createFile(atPath: input, contents: Data(data)) else {
            throw InputError("\(input): cannot write the benchmark corpus")
        }
        data = []
        func pipeline(threads: Int, output: String) throws -> BenchmarkCounts {
            var options = PipelineOptions()
            options.inputs = try InputExpander.expand([input])
            options.output = .file(output)
            options.threads = threads
            let s = try Pipeline(annotator: annotator, options: options).run().statistics
            return BenchmarkCounts(documents: s.records + s.errors, tokens: s.tokens, sentences: s.sentences, entities: s.entities)
        }

        // The reference: what `glean annotate --threads 1` produces.
        progress("reference run (pipeline, one thread)")
        let reference = try pipeline(threads: 1, output: "/dev/null")
        report.reference = reference

        // The documents the stage rows work on (setup, not timed; their count and the tokens
        // they give are checked against the reference).
        var documents: [Document] = []
        for line in corpus {
            try line.withUnsafeBufferPointer { b in
                let members = try JSONScanner.objectMembers(b)
                var doc = Document(text: [])
                if let text = members.last(where: { $0.key == Array(configuration.textField.utf8) }), text.type == .string {
                    doc.text = JSONScanner.decodeString(b, text.valueStart + 1, text.valueEnd - 1).bytes
                }
                doc.lang = configuration.defaultLanguage
                if let l = members.last(where: { $0.key == Array("lang".utf8) }), l.type == .string {
                    doc.lang = String(decoding: JSONScanner.decodeString(b, l.valueStart + 1, l.valueEnd - 1).bytes, as: UTF8.self)
                }
                documents.append(doc)
            }
        }
        let textBytes = documents.reduce(0) { $0 + $1.text.count }
        report.textBytes = textBytes
        let docCount = BenchmarkCounts(documents: documents.count)
        guard docCount.agrees(with: reference) else { throw BenchmarkCountMismatch(row: "decode", expected: reference, got: docCount) }

        let worker = try annotator.makeWorker()
        let segmenter = worker.segmenter
        let emit = configuration.emit
        let expectTokens = BenchmarkCounts(documents: reference.documents, tokens: reference.tokens)
        let expectSentences = BenchmarkCounts(documents: reference.documents,
                                              sentences: emit.contains(.sents) ? reference.sentences : nil)

        if wanted("record") {
            let processor = RecordProcessor(worker: worker, format: .jsonl, sourceName: "bench")
            // One buffer reused, as the pipeline's workers do.
            var out = JSONWriter(capacity: 16 << 20)
            var errors = JSONWriter()
            report.stages.append(try measure("record", "record (decode, annotate, write JSONL)", bytes: textBytes, expected: reference) {
                var stats = RunStatistics()
                for (i, line) in corpus.enumerated() {
                    line.withUnsafeBufferPointer { processor.process($0, line: i + 1, offset: 0, output: &out, errors: &errors, stats: &stats) }
                    if out.count > 8 << 20 { out.removeAll() }
                }
                out.removeAll()
                errors.removeAll()
                return BenchmarkCounts(documents: stats.records + stats.errors, tokens: stats.tokens, sentences: stats.sentences,
                                       entities: stats.entities)
            })
        }

        func tokensRow(_ id: String, _ name: String) throws -> BenchmarkRow {
            try measure(id, name, bytes: textBytes, expected: expectTokens) {
                var n = 0
                for i in documents.indices { try segmenter.segment(&documents[i], sentences: false); n += documents[i].tokens.count }
                return BenchmarkCounts(documents: documents.count, tokens: n)
            }
        }
        func sentencesRow(_ id: String, _ name: String) throws -> BenchmarkRow {
            try measure(id, name, bytes: textBytes, expected: expectSentences) {
                var n = 0
                for i in documents.indices { try segmenter.addSentences(&documents[i]); n += documents[i].sentences.count }
                return BenchmarkCounts(documents: documents.count, sentences: n)
            }
        }
        if wanted("tokens-icu") {
            segmenter.fastASCII = false
            defer { segmenter.fastASCII = true }
            report.stages.append(try tokensRow("tokens-icu", "tokens (ICU words only)"))
        }
        // The later rows need the tokens; this row (or the setup) leaves them in place.
        if wanted("tokens") {
            report.stages.append(try tokensRow("tokens", "tokens (fast paths, ICU elsewhere)"))
        } else {
            for i in documents.indices { try segmenter.segment(&documents[i], sentences: false) }
        }
        if emit.contains(.sents) {
            if wanted("sentences-icu") {
                segmenter.fastSentences = false
                defer { segmenter.fastSentences = true }
                report.stages.append(try sentencesRow("sentences-icu", "sentences (ICU on every character)"))
            }
            if wanted("sentences") {
                report.stages.append(try sentencesRow("sentences", "sentences (ICU around terminators)"))
            } else {
                for i in documents.indices { try segmenter.addSentences(&documents[i]) }
            }
        }
        let stageWorkers = worker.stageWorkers
        for (k, (stage, stageWorker)) in zip(configuration.stages, stageWorkers).enumerated() {
            let run = {
                var n = 0
                for i in documents.indices {
                    // The candidates this stage adds, in its own group or one it creates.
                    let before = documents[i].spanGroups.reduce(0) { $0 + $1.spans.count }
                    stageWorker.annotate(&documents[i])
                    n += documents[i].spanGroups.reduce(0) { $0 + $1.spans.count } - before
                }
                return BenchmarkCounts(documents: documents.count, other: n)
            }
            if wanted("stage-\(k)") {
                // Each round starts from the spans of the stages before it.
                var saved: [[SpanGroup]] = []
                let restore = { for i in documents.indices { documents[i].spanGroups = saved[i] } }
                saved = documents.map(\.spanGroups)
                report.stages.append(try measure("stage-\(k)", stage.name, bytes: textBytes, expected: BenchmarkCounts(documents: reference.documents)) {
                    restore()
                    return run()
                })
                restore()
            }
            // The documents carry this stage's spans into the next rows.
            _ = run()
            if wanted("stage-\(k)"), options.only == nil {
                report.notes.append(contentsOf: (stage as? any BenchmarkedStage)?.benchmarkNotes(texts: documents.map(\.text)) ?? [])
            }
        }
        if let labels = configuration.labels {
            for i in documents.indices {
                for g in documents[i].spanGroups.indices { documents[i].spanGroups[g].spans.removeAll { !labels.contains($0.label) } }
            }
        }
        if emit.contains(.ents), !stageWorkers.isEmpty, wanted("resolution") {
            let policy = configuration.resolution
            // Resolution, then in-document propagation as the annotator runs it (the pipeline's
            // entity counts include what propagation adds).
            let propagate = configuration.propagation
            report.stages.append(try measure("resolution", "resolution (\(policy.rawValue))" + (propagate ? " + propagation" : ""),
                                             bytes: textBytes,
                                             expected: BenchmarkCounts(documents: reference.documents, entities: reference.entities)) {
                var n = 0
                for i in documents.indices {
                    documents[i].spanGroups.removeAll { $0.name == Propagation.group }
                    documents[i].entities = policy.resolve(documents[i].spanGroups)
                    if propagate { Propagation.apply(&documents[i]) }
                    n += documents[i].entities.count
                }
                return BenchmarkCounts(documents: documents.count, entities: n)
            })
        }
        documents = []
        if options.endToEnd {
            // To /dev/null per thread count (the annotation work), then once to a real file with
            // all threads (what writing the output costs on this machine's file system).
            let runs = options.threadCounts.map { ($0, "/dev/null") }
                + [(options.threadCounts.max() ?? 1, dir.appendingPathComponent("out.jsonl").path)]
            for (threads, output) in runs {
                let toFile = output != "/dev/null"
                let id = "pipeline-\(threads)" + (toFile ? "-file" : "")
                guard wanted(id) else { continue }
                let name = "pipeline, \(threads) thread\(threads == 1 ? "" : "s"), \(toFile ? "to a file" : "to /dev/null")"
                var row = try measure(id, name, bytes: textBytes, expected: reference) { try pipeline(threads: threads, output: output) }
                row.threads = threads
                if let first = report.endToEnd.first(where: { $0.threads == 1 }) { row.speedup = first.median / row.median }
                report.endToEnd.append(row)
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        report.peakResidentBytes = Int(usage.ru_maxrss) * 1024
        return report
    }

    static func machineDescription() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(model)"
    }
}

extension BenchmarkReport {
    /// A readable table for stdout.
    public func table() -> String {
        var out = "Glean \(GleanVersion.glean) benchmark, \(date), \(machine)\n"
        out += String(format: "corpus: %d documents, %.1f MB of JSONL, %.1f MB of text; median of %d rounds after a warm-up\n",
                      documents, Double(corpusBytes) / 1e6, Double(textBytes) / 1e6, rounds)
        out += "every row checked against the reference run: \(reference)\n\n"
        func row(_ r: BenchmarkRow) -> String {
            let name = r.name.count < 44 ? r.name + String(repeating: " ", count: 44 - r.name.count) : r.name
            return name + String(format: " %9.1f MB/s %8.3f s  ", r.megabytesPerSecond, r.median) + r.counts.description
                + (r.speedup.map { String(format: "  speed-up %.2fx", $0) } ?? "")
        }
        out += "row (one thread)                               throughput   median  counts\n"
        for r in stages { out += row(r) + "\n" }
        if !endToEnd.isEmpty {
            out += "\nend to end (Pipeline, JSONL file in)\n"
            for r in endToEnd { out += row(r) + "\n" }
        }
        var section = ""
        for note in notes {
            if note.section != section { section = note.section; out += "\n\(section)\n" }
            out += "  \(note.name): \(note.value)\n"
        }
        out += String(format: "\npeak resident memory: %.1f MB\n", Double(peakResidentBytes) / 1e6)
        return out
    }

    /// Exactly one JSON document.
    public func json() -> [UInt8] {
        var w = JSONWriter()
        func counts(_ c: BenchmarkCounts) {
            w.byte(UInt8(ascii: "{"))
            var comma = false
            for (name, v) in [("documents", c.documents), ("tokens", c.tokens), ("sentences", c.sentences),
                              ("entities", c.entities), ("other", c.other)] {
                guard let v else { continue }
                if comma { w.byte(UInt8(ascii: ",")) }
                comma = true
                w.string(name); w.byte(UInt8(ascii: ":")); w.int(v)
            }
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("{\"glean\":"); w.string(GleanVersion.glean)
        w.raw(",\"date\":"); w.string(date)
        w.raw(",\"machine\":"); w.string(machine)
        w.raw(",\"statistic\":\"median\",\"rounds\":"); w.int(rounds)
        w.raw(",\"documents\":"); w.int(documents)
        w.raw(",\"corpus_bytes\":"); w.int(corpusBytes)
        w.raw(",\"text_bytes\":"); w.int(textBytes)
        w.raw(",\"peak_resident_bytes\":"); w.int(peakResidentBytes)
        w.raw(",\"reference\":"); counts(reference)
        func rows(_ rs: [BenchmarkRow]) {
            w.byte(UInt8(ascii: "["))
            for (i, r) in rs.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"id\":"); w.string(r.id)
                w.raw(",\"name\":"); w.string(r.name)
                w.raw(",\"threads\":"); w.int(r.threads)
                w.raw(",\"mb_per_second\":"); w.rawText(String(format: "%.3f", r.megabytesPerSecond))
                w.raw(",\"median_seconds\":"); w.rawText(String(format: "%.6f", r.median))
                w.raw(",\"round_seconds\":[")
                for (k, s) in r.rounds.enumerated() {
                    if k > 0 { w.byte(UInt8(ascii: ",")) }
                    w.rawText(String(format: "%.6f", s))
                }
                w.raw("],\"counts\":"); counts(r.counts)
                if let s = r.speedup { w.raw(",\"speedup\":"); w.rawText(String(format: "%.3f", s)) }
                w.byte(UInt8(ascii: "}"))
            }
            w.byte(UInt8(ascii: "]"))
        }
        w.raw(",\"stages\":"); rows(stages)
        w.raw(",\"end_to_end\":"); rows(endToEnd)
        w.raw(",\"notes\":[")
        for (i, n) in notes.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"section\":"); w.string(n.section)
            w.raw(",\"name\":"); w.string(n.name)
            w.raw(",\"value\":"); w.string(n.value)
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("]}\n")
        return w.bytes
    }
}

import Dispatch
import Foundation
import GleanCore
import GleanIO
import GleanSegment

/// Throughput of each stage and of the whole pipeline, measured in this process.
///
/// Each stage runs alone on one thread over the same in-memory corpus: a warm-up round, then
/// `rounds` timed rounds; the report gives the median, the fastest and the slowest round, in
/// MB/s of document text (10^6 UTF-8 bytes). End to end runs the real ``Pipeline`` from a file to
/// a file once per thread count, with the speed-up over one thread.
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
    public var rounds = 3
    public var threadCounts: [Int] = Array(Set([1, 2, ProcessInfo.processInfo.activeProcessorCount])).sorted()
    public var endToEnd = true
    public init() {}
}

/// One measured row.
public struct BenchmarkRow: Sendable {
    public var name: String
    /// Seconds per round: median, fastest, slowest.
    public var median: Double
    public var fastest: Double
    public var slowest: Double
    public var bytes: Int
    public var documents: Int
    /// What the stage produced per round (tokens, sentences, entities), for context.
    public var items: Int
    public var itemName: String
    public var threads = 1
    public var speedup: Double? = nil

    public var megabytesPerSecond: Double { median > 0 ? Double(bytes) / 1e6 / median : 0 }
    /// The spread: (slowest - fastest) / median.
    public var spread: Double { median > 0 ? (slowest - fastest) / median : 0 }
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
    public var stages: [BenchmarkRow] = []
    public var endToEnd: [BenchmarkRow] = []
    public var notes: [BenchmarkNote] = []
    public var peakResidentBytes = 0
    public var date = ""
    public var machine = ""
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

    /// Reads the corpus files (JSONL with a `text` field) and repeats them to the target size.
    func loadCorpus() throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for file in options.corpusFiles {
            guard let data = FileManager.default.contents(atPath: file) else { throw InputError("\(file): cannot read") }
            for line in data.split(separator: 0x0A) where !line.isEmpty { lines.append(Array(line)) }
        }
        guard !lines.isEmpty else { throw InputError("the benchmark corpus is empty") }
        var corpus: [[UInt8]] = []
        var bytes = 0
        while bytes < options.targetBytes {
            for line in lines {
                corpus.append(line)
                bytes += line.count + 1
            }
        }
        return corpus
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Runs `body` once to warm up and `rounds` times timed.
    func measure(_ name: String, bytes: Int, documents: Int, itemName: String, _ body: () throws -> Int) rethrows -> BenchmarkRow {
        progress("\(name): warm-up")
        _ = try body()
        var times: [Double] = []
        var items = 0
        for round in 1...max(1, options.rounds) {
            progress("\(name): round \(round) of \(options.rounds)")
            times.append(try Self.seconds { items = try body() })
        }
        times.sort()
        return BenchmarkRow(name: name, median: times[times.count / 2], fastest: times[0], slowest: times[times.count - 1],
                            bytes: bytes, documents: documents, items: items, itemName: itemName)
    }

    public func run() throws -> BenchmarkReport {
        var report = BenchmarkReport()
        report.date = ISO8601DateFormatter().string(from: Date())
        report.machine = Self.machineDescription()
        progress("loading the corpus")
        let corpus = try loadCorpus()
        report.corpusBytes = corpus.reduce(0) { $0 + $1.count + 1 }
        report.documents = corpus.count
        let annotator = try Annotator(configuration: configuration)
        let worker = try annotator.makeWorker()
        let segmenter = worker.segmenter

        // decode: JSON validation and text extraction.
        var documents: [Document] = []
        let decode = try measure("decode (JSON, UTF-8)", bytes: 0, documents: corpus.count, itemName: "docs") {
            documents.removeAll(keepingCapacity: true)
            for line in corpus {
                try line.withUnsafeBufferPointer { b in
                    let members = try JSONScanner.objectMembers(b)
                    guard let text = members.last(where: { $0.key == Array("text".utf8) }), text.type == .string else { return }
                    documents.append(Document(text: JSONScanner.decodeString(b, text.valueStart + 1, text.valueEnd - 1).bytes))
                }
            }
            return documents.count
        }
        let textBytes = documents.reduce(0) { $0 + $1.text.count }
        report.textBytes = textBytes
        var decodeRow = decode
        decodeRow.bytes = textBytes
        report.stages.append(decodeRow)

        report.stages.append(try measure("tokens (ICU words, ASCII fast path)", bytes: textBytes, documents: documents.count, itemName: "tokens") {
            var n = 0
            for i in documents.indices { try segmenter.segment(&documents[i], sentences: false); n += documents[i].tokens.count }
            return n
        })
        segmenter.fastASCII = false
        report.stages.append(try measure("tokens (ICU words only)", bytes: textBytes, documents: documents.count, itemName: "tokens") {
            var n = 0
            for i in documents.indices { try segmenter.segment(&documents[i], sentences: false); n += documents[i].tokens.count }
            return n
        })
        segmenter.fastASCII = true
        report.stages.append(try measure("sentences (ICU)", bytes: textBytes, documents: documents.count, itemName: "sentences") {
            var n = 0
            for i in documents.indices { try segmenter.addSentences(&documents[i]); n += documents[i].sentences.count }
            return n
        })
        for (stage, stageWorker) in zip(configuration.stages, worker.stageWorkers) {
            report.stages.append(measure(stage.name, bytes: textBytes, documents: documents.count, itemName: "candidates") {
                var n = 0
                for i in documents.indices {
                    for g in documents[i].spanGroups.indices { documents[i].spanGroups[g].spans.removeAll(keepingCapacity: true) }
                    stageWorker.annotate(&documents[i])
                    n += documents[i].spanGroups.reduce(0) { $0 + $1.spans.count }
                }
                return n
            })
            report.notes.append(contentsOf: (stage as? any BenchmarkedStage)?.benchmarkNotes(texts: documents.map(\.text)) ?? [])
        }
        report.stages.append(measure("resolution (\(configuration.resolution.rawValue))", bytes: textBytes, documents: documents.count, itemName: "entities") {
            var n = 0
            for i in documents.indices {
                documents[i].entities = configuration.resolution.resolve(documents[i].patternSpans + documents[i].gazetteerSpans)
                n += documents[i].entities.count
            }
            return n
        })
        let processor = RecordProcessor(worker: worker, format: .jsonl, sourceName: "bench")
        // One buffer reused batch after batch, as the pipeline's workers do.
        var out = JSONWriter(capacity: 16 << 20)
        report.stages.append(measure("encode (JSON)", bytes: textBytes, documents: documents.count, itemName: "bytes out") {
            var stats = RunStatistics()
            var total = 0
            for doc in documents {
                out.raw("{\"text\":")
                out.string(doc.text)
                processor.render(doc, into: &out, stats: &stats, leadingComma: true)
                if out.count > 8 << 20 { total += out.count; out.removeAll() }
            }
            total += out.count
            out.removeAll()
            return total
        })
        documents = []

        if options.endToEnd {
            report.endToEnd = try endToEnd(corpus: corpus, textBytes: textBytes, annotator: annotator)
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        report.peakResidentBytes = Int(usage.ru_maxrss) * 1024
        return report
    }

    /// The real pipeline, file to file, per thread count.
    func endToEnd(corpus: [[UInt8]], textBytes: Int, annotator: Annotator) throws -> [BenchmarkRow] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glean-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("corpus.jsonl").path
        var data = [UInt8]()
        data.reserveCapacity(corpus.reduce(0) { $0 + $1.count + 1 })
        for line in corpus { data.append(contentsOf: line); data.append(0x0A) }
        FileManager.default.createFile(atPath: input, contents: Data(data))
        var rows: [BenchmarkRow] = []
        // To /dev/null per thread count (the annotation work), then once to a real file with all
        // threads (what writing the output costs on this machine's file system).
        let runs = options.threadCounts.map { ($0, "/dev/null") }
            + [(options.threadCounts.max() ?? 1, dir.appendingPathComponent("out.jsonl").path)]
        for (threads, output) in runs {
            var options = PipelineOptions()
            options.inputs = try InputExpander.expand([input])
            options.output = .file(output)
            options.threads = threads
            let target = output == "/dev/null" ? "to /dev/null" : "to a file"
            var row = try measure("end to end, \(threads) thread\(threads == 1 ? "" : "s"), \(target)", bytes: textBytes,
                                  documents: corpus.count, itemName: "entities") {
                try Pipeline(annotator: annotator, options: options).run().statistics.entities
            }
            row.threads = threads
            if let first = rows.first { row.speedup = first.median / row.median }
            rows.append(row)
        }
        return rows
    }

    static func machineDescription() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(model)"
    }
}

/// A stage that adds its own measurements to `glean bench` (compile and load times, the slowest
/// patterns).
public protocol BenchmarkedStage: AnnotationStage {
    func benchmarkNotes(texts: [[UInt8]]) -> [BenchmarkNote]
}

extension BenchmarkReport {
    /// A readable table for stdout.
    public func table() -> String {
        var out = "Glean \(GleanVersion.glean) benchmark, \(date), \(machine)\n"
        out += String(format: "corpus: %d documents, %.1f MB of JSONL, %.1f MB of text\n\n", documents,
                      Double(corpusBytes) / 1e6, Double(textBytes) / 1e6)
        func row(_ r: BenchmarkRow) -> String {
            let name = r.name.count < 42 ? r.name + String(repeating: " ", count: 42 - r.name.count) : r.name
            let items = "\(r.items)"
            return name + String(format: " %9.1f MB/s %8.3f s  ±%4.1f%%  ", r.megabytesPerSecond, r.median, r.spread * 50)
                + String(repeating: " ", count: max(0, 12 - items.count)) + items + " " + r.itemName
                + (r.speedup.map { String(format: "  speed-up %.2fx", $0) } ?? "")
        }
        out += "stage (one thread)                           throughput   median  spread        output\n"
        for r in stages { out += row(r) + "\n" }
        if !endToEnd.isEmpty {
            out += "\nend to end (file to file, tokens+sents+ents)\n"
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
        w.raw("{\"glean\":"); w.string(GleanVersion.glean)
        w.raw(",\"date\":"); w.string(date)
        w.raw(",\"machine\":"); w.string(machine)
        w.raw(",\"documents\":"); w.int(documents)
        w.raw(",\"corpus_bytes\":"); w.int(corpusBytes)
        w.raw(",\"text_bytes\":"); w.int(textBytes)
        w.raw(",\"peak_resident_bytes\":"); w.int(peakResidentBytes)
        func rows(_ rs: [BenchmarkRow]) {
            w.byte(UInt8(ascii: "["))
            for (i, r) in rs.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"name\":"); w.string(r.name)
                w.raw(",\"threads\":"); w.int(r.threads)
                w.raw(",\"mb_per_second\":"); w.rawText(String(format: "%.3f", r.megabytesPerSecond))
                w.raw(",\"median_seconds\":"); w.rawText(String(format: "%.6f", r.median))
                w.raw(",\"fastest_seconds\":"); w.rawText(String(format: "%.6f", r.fastest))
                w.raw(",\"slowest_seconds\":"); w.rawText(String(format: "%.6f", r.slowest))
                w.raw(",\"items\":"); w.int(r.items)
                w.raw(",\"item\":"); w.string(r.itemName)
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

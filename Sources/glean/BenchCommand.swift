import ArgumentParser
import Foundation
import Glean
import GleanGazetteer

/// `glean bench`: throughput per stage and end to end, on a corpus repeated to a size worth measuring.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput per stage and end to end.",
        discussion: """
            With no arguments: the bundled sample corpus (plus corpora/public/news.jsonl when \
            fetched), repeated to 20 MB, the default models, 3 rounds after a warm-up, end to end \
            with 1, 2 and all threads. Every figure is the median round; every row's counts \
            (documents, tokens, sentences, entities) are checked against a reference run of the \
            pipeline, and a row that loses work stops the benchmark with an error. A table goes \
            to stdout; --json writes exactly one JSON document to stdout instead. Progress goes \
            to stderr. Rows by id (--only): record, tokens, tokens-icu, sentences, \
            sentences-icu, stage-0, stage-1 ..., resolution, pipeline-T, pipeline-T-file. \
            Benchmarks/callgrind.sh ID counts a row's instructions.
            """
    )

    @Argument(help: "JSONL corpus files with a \"text\" field (default: the bundled sample).")
    var corpus: [String] = []

    @Option(help: "Repeat the corpus to at least this many MB of JSONL.")
    var size: Double = 20

    @Option(help: "Timed rounds per measurement (after one warm-up).")
    var rounds: Int = 3

    @Option(help: "Comma-separated thread counts for the end-to-end runs (default: 1, 2, all cores).")
    var threads: String?

    @Option(help: "Only these rows, by id, comma-separated (e.g. tokens,sentences); the gazetteer scaling is skipped.")
    var only: String?

    @Flag(help: "Skip the end-to-end runs.")
    var noEndToEnd = false

    @Flag(help: "Write one JSON document to stdout instead of the table.")
    var json = false

    @Option(help: "Gazetteer sizes to compile, load and match (names, comma-separated; empty to skip).")
    var gazetteerSizes = "10000,100000,1000000"

    @OptionGroup(title: "Models")
    var models: ModelOptions

    func run() throws {
        var options = BenchmarkOptions()
        options.corpusFiles = corpus.isEmpty ? defaultBenchmarkCorpus() : corpus
        if options.corpusFiles.isEmpty { throw UsageError("no corpus given and corpora/sample/news.jsonl not found") }
        options.targetBytes = Int(size * 1e6)
        options.rounds = rounds
        options.endToEnd = !noEndToEnd
        if let only { options.only = Set(only.split(separator: ",").map(String.init)) }
        if let threads {
            options.threadCounts = try threads.split(separator: ",").map {
                guard let n = Int($0), n > 0 else { throw UsageError("--threads takes positive integers, comma-separated") }
                return n
            }
        }
        var config = AnnotatorConfiguration()
        config.stages = try models.stages()
        config.labels = models.labelSet
        let interactive = isatty(2) != 0
        let benchmark = Benchmark(configuration: config, options: options) { message in
            FileHandle.standardError.write(Data((interactive ? "\r\u{1B}[K" + message : message + "\n").utf8))
        }
        var report = try benchmark.run()
        if options.only == nil {
            report.notes += try gazetteerScaling(corpus: options.corpusFiles, progress: { message in
                FileHandle.standardError.write(Data((interactive ? "\r\u{1B}[K" + message : message + "\n").utf8))
            })
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if json {
            FileHandle.standardOutput.write(Data(report.json()))
        } else {
            print(report.table(), terminator: "")
        }
    }
}

/// The corpus `glean bench` uses by default: the bundled sample, plus the public news articles
/// when `corpora/fetch.sh` has fetched them.
func defaultBenchmarkCorpus() -> [String] {
    guard let root = ModelsDirectory.root() else { return [] }
    return ["corpora/sample/news.jsonl", "corpora/public/news.jsonl"]
        .map { root.appendingPathComponent($0).path }
        .filter { FileManager.default.fileExists(atPath: $0) }
}

extension BenchCommand {
    /// Compile time, load time and matching speed for dictionaries of several sizes: the default
    /// gazetteer's names topped up with synthetic multi-word names (``GazetteerBenchmark``).
    func gazetteerScaling(corpus: [String], progress: (String) -> Void) throws -> [BenchmarkNote] {
        let sizes = gazetteerSizes.split(separator: ",").compactMap { Int($0) }
        guard !sizes.isEmpty, let basePath = GazetteerModels.defaultGazetteerPath() else { return [] }
        let base = try GazetteerSources.read(path: basePath)
        let tokenize = try gazetteerTokenizer()
        var documents: [Document] = []
        for file in corpus {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            for line in data.split(separator: 10) where !line.isEmpty {
                if let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let t = o["text"] as? String {
                    var d = Document(t)
                    try tokenize(&d)
                    documents.append(d)
                }
            }
        }
        var notes: [BenchmarkNote] = []
        let section = "gazetteer scaling (default names plus synthetic ones; one thread, matching after tokenization)"
        for size in sizes {
            progress("gazetteer: \(size) names")
            let entries = GazetteerBenchmark.syntheticEntries(count: size, from: base)
            let r = try GazetteerBenchmark.measure(entries: entries, documents: documents, tokenize: tokenize, minimumSeconds: 1)
            notes.append(BenchmarkNote(section: section, name: "\(size) names", value: String(
                format: "compile %.2f s, %.1f MB (%d B/name), load %.2f ms, match %.0f MB/s (median round), %d matches",
                r.compileSeconds, Double(r.bytes) / 1e6, r.bytes / max(1, r.names), r.loadSeconds * 1000, r.matchMBps, r.matches)))
        }
        return notes
    }
}

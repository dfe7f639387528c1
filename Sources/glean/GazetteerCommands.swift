import ArgumentParser
import Foundation
import GleanCore
import GleanGazetteer
import GleanSegment

extension CaseMode: ExpressibleByArgument {}

/// Cuts gazetteer names into tokens with the same segmenter as `glean annotate`.
func gazetteerTokenizer() throws -> NameTokenizer {
    let segmenter = try Segmenter()
    return { try segmenter.segment(&$0, sentences: false) }
}

func standardError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// `glean compile`: gazetteer sources to a compiled, memory-mapped `.glz` file.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile gazetteer sources into a binary file that glean maps into memory.",
        discussion: """
            SOURCE is a TSV file (name<TAB>label[<TAB>kb_id] per line, # comments) or spaCy \
            EntityRuler patterns (.jsonl: {"label": ..., "pattern": "a string" or [{"LOWER": ...}, \
            {"ORTH": ...}], "id": ...}). Earlier sources and lines have priority: the first id of a \
            name becomes its kb_id.

            Case: exact (byte for byte), fold (NFKC + Unicode case folding, as Python's \
            casefold), smart (fold, but a name written with capitals does not match an \
            all-lowercase occurrence; the default). The options are stored in the file.

            Examples:
              glean compile places.tsv -o places.glz
              glean compile patterns.jsonl extra.tsv -o ents.glz --case fold --fold-accents
              glean compile geonames.tsv -o geo.glz --drop-common-words --dropped dropped.tsv
            """
    )

    @Argument(help: "Gazetteer sources: .tsv or EntityRuler .jsonl files.")
    var sources: [String]

    @Option(name: .shortAndLong, help: "The compiled file to write (.glz); replaced atomically.")
    var output: String

    @Option(name: .customLong("case"), help: "Case mode: exact, fold or smart.")
    var caseMode: CaseMode = .smart

    @Flag(help: "Also ignore accents (nonspacing marks): Zurich matches Zürich.")
    var foldAccents = false

    @Flag(help: "Leave out aliases that are common words of the word list (see --words).")
    var dropCommonWords = false

    @Option(help: "Word list for --drop-common-words, one word per line.")
    var words = CommonWords.defaultPath

    @Option(help: "Write the aliases left out (common words, empty names, duplicates) to this TSV file.")
    var dropped: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        guard !sources.isEmpty else { throw UsageError("compile: give at least one source file") }
        let clock = ContinuousClock()
        let started = clock.now
        var entries: [GazetteerEntry] = []
        do {
            for path in sources { entries += try GazetteerSources.read(path: path) }
        } catch let error as GazetteerSourceError {
            throw UsageError(error.description)
        }
        var options = GazetteerCompileOptions(folding: TextFolding(caseMode: caseMode, foldAccents: foldAccents))
        if dropCommonWords {
            do { options.commonWords = try CommonWords(contentsOf: words) } catch let error as GazetteerSourceError {
                throw UsageError(error.description)
            }
        }
        let (image, report) = try GazetteerCompiler.compile(entries, options: options, tokenize: try gazetteerTokenizer())
        let temporary = output + ".tmp-\(getpid())"
        do {
            try Data(image).write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, output) != 0 { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw UsageError("cannot write \(output)")
        }
        if let dropped {
            var text = "# name\tlabel\tkb_id\treason\n"
            for d in report.dropped { text += "\(d.entry.name)\t\(d.entry.label)\t\(d.entry.kbId)\t\(d.reason.rawValue)\n" }
            try Data(text.utf8).write(to: URL(fileURLWithPath: dropped))
        }
        if !quiet {
            let seconds = Double((clock.now - started).components.attoseconds) / 1e18 + Double((clock.now - started).components.seconds)
            var byReason: [String: Int] = [:]
            for d in report.dropped { byReason[d.reason.rawValue, default: 0] += 1 }
            let droppedText = byReason.isEmpty ? "nothing dropped"
                : "dropped " + byReason.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            standardError("glean compile: \(report.entriesKept) entries, \(report.names) names from \(report.entriesRead) source lines; "
                          + "\(droppedText); \(image.count) bytes -> \(output) in \(String(format: "%.2f", seconds)) s")
            let common = report.dropped.filter { $0.reason == .commonWord }.map(\.entry.name)
            if !common.isEmpty && dropped == nil {
                standardError("common words dropped: " + common.prefix(30).joined(separator: ", ")
                              + (common.count > 30 ? ", ... (--dropped FILE lists all)" : ""))
            }
        }
    }
}

/// `glean gazetteer`: inspect compiled gazetteers.
struct GazetteerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gazetteer",
        abstract: "Inspect gazetteers: what a name maps to, and what a compiled file holds.",
        subcommands: [Lookup.self, Info.self, Bench.self]
    )

    /// Opens a `.glz` file, or compiles sources in memory.
    static func open(_ path: String, caseMode: CaseMode = .smart, foldAccents: Bool = false) throws -> Gazetteer {
        do {
            let options = GazetteerCompileOptions(folding: TextFolding(caseMode: caseMode, foldAccents: foldAccents))
            return try Gazetteer.open(paths: [path], options: options, tokenize: try gazetteerTokenizer()).0
        } catch let error as GazetteerFileError {
            throw UsageError(error.description)
        } catch let error as GazetteerSourceError {
            throw UsageError(error.description)
        }
    }

    struct Lookup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lookup",
            abstract: "Show what a name maps to: alias, label and kb_id, one per line (status 1 if none).",
            discussion: """
                The name is tokenized and folded as text would be, so `lookup geo.glz "NEW YORK"` \
                shows what the text "NEW YORK" would match.
                  glean gazetteer lookup Models/gazetteers/default.tsv Georgia
                """
        )
        @Argument(help: "A compiled gazetteer (.glz) or a source file.") var file: String
        @Argument(help: "The name to look up.") var name: String

        func run() throws {
            let g = try GazetteerCommand.open(file)
            let hits = try g.lookup(name, tokenize: try gazetteerTokenizer())
            if hits.isEmpty {
                standardError("glean gazetteer lookup: no entry for \"\(name)\"")
                throw ExitCode.failure
            }
            for h in hits { print("\(h.alias)\t\(h.label)\t\(h.kbId)") }
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info",
            abstract: "Show a compiled gazetteer's options, counts per label and size.")
        @Argument(help: "A compiled gazetteer (.glz) or a source file.") var file: String
        @Flag(help: "Write one JSON object instead of text.") var json = false

        func run() throws {
            let info = try GazetteerCommand.open(file).info
            if json {
                var w = JSONWriter()
                w.raw("{\"format_version\":"); w.int(Int(info.version))
                w.raw(",\"case\":"); w.string(info.folding.caseMode.rawValue)
                w.raw(",\"fold_accents\":"); w.raw(info.folding.foldAccents ? "true" : "false")
                w.raw(",\"entries\":"); w.int(info.entries)
                w.raw(",\"names\":"); w.int(info.names)
                w.raw(",\"bytes\":"); w.int(info.bytes)
                w.raw(",\"checksum\":"); w.string(String(format: "%016llx", info.checksum))
                w.raw(",\"labels\":{")
                for (k, l) in info.entriesPerLabel.enumerated() {
                    if k > 0 { w.raw(",") }
                    w.string(l.label); w.raw(":"); w.int(l.count)
                }
                w.raw("}}")
                print(String(decoding: w.bytes, as: UTF8.self))
                return
            }
            print("file            \(file)")
            print("format version  \(info.version)")
            print("case            \(info.folding.caseMode.rawValue)\(info.folding.foldAccents ? ", accents folded" : "")")
            print("entries         \(info.entries)")
            print("names           \(info.names)")
            print("trie nodes      \(info.nodes)")
            print("size            \(info.bytes) bytes (\(info.names > 0 ? info.bytes / info.names : 0) per name)")
            print("checksum        \(String(format: "%016llx", info.checksum))")
            print("labels:")
            for l in info.entriesPerLabel { print("  \(l.label)\t\(l.count)") }
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench",
            abstract: "Measure compile time, load time and matching speed for dictionaries of several sizes.",
            discussion: """
                Dictionaries are the real names of BASE (default: the default gazetteer) topped up \
                with synthetic multi-word names built from their words. Matching runs on one \
                thread over the tokenized documents of CORPUS (JSONL with a text field, or text).
                  glean gazetteer bench --sizes 10000,100000,1000000 --corpus corpora/public/news.jsonl
                """
        )
        @Option(help: "Dictionary sizes, comma-separated.") var sizes = "10000,100000,1000000"
        @Option(help: "Source of real names (default: the default gazetteer).") var base: String?
        @Option(help: "Text to match: .jsonl (field \"text\") or plain text.") var corpus: String?
        @Option(help: "Seconds of matching per size, at least.") var seconds = 2.0
        @Flag(help: "One JSON object per size on stdout.") var json = false

        func run() throws {
            guard let basePath = base ?? GazetteerModels.defaultGazetteerPath() else {
                throw UsageError("no default gazetteer found (set GLEAN_MODELS or give --base)")
            }
            let baseEntries = try GazetteerSources.read(path: basePath)
            let tokenize = try gazetteerTokenizer()
            let corpusPath = corpus ?? ["corpora/public/news.jsonl", "corpora/sample/news.jsonl"].first {
                FileManager.default.fileExists(atPath: $0)
            }
            guard let corpusPath, let data = FileManager.default.contents(atPath: corpusPath) else {
                throw UsageError("no corpus: give --corpus FILE")
            }
            var texts: [String] = []
            if corpusPath.hasSuffix(".jsonl") {
                for line in data.split(separator: 10) where !line.isEmpty {
                    if let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let t = o["text"] as? String { texts.append(t) }
                }
            } else {
                texts = [String(decoding: data, as: UTF8.self)]
            }
            var documents: [Document] = []
            for t in texts {
                var d = Document(t)
                try tokenize(&d)
                documents.append(d)
            }
            standardError("corpus \(corpusPath): \(documents.count) documents, \(documents.reduce(0) { $0 + $1.text.count }) bytes; base \(basePath): \(baseEntries.count) names")
            for size in sizes.split(separator: ",").compactMap({ Int($0) }) {
                let entries = GazetteerBenchmark.syntheticEntries(count: size, from: baseEntries)
                let r = try GazetteerBenchmark.measure(entries: entries, documents: documents, tokenize: tokenize, minimumSeconds: seconds)
                if json {
                    print(#"{"names":\#(r.names),"compile_s":\#(r.compileSeconds),"compile_cpu_s":\#(r.compileCPUSeconds),"load_ms":\#(r.loadSeconds * 1000),"load_no_checksum_ms":\#(r.loadSecondsWithoutChecksum * 1000),"match_mb_s":\#(r.matchMBps),"bytes":\#(r.bytes),"matches":\#(r.matches),"key_mb_s":\#(r.keyMBps),"byte_loop_mb_s":\#(r.byteLoopMBps)}"#)
                } else {
                    print(String(format: "%9d names: compile %.2f s (%.2f s CPU), %.1f MB (%d B/name), load %.2f ms (%.2f ms without checksum), match %.0f MB/s per core (keys alone %.0f, byte loop %.0f), %d matches over %d bytes",
                                 r.names, r.compileSeconds, r.compileCPUSeconds, Double(r.bytes) / 1e6, r.bytes / max(1, r.names), r.loadSeconds * 1000,
                                 r.loadSecondsWithoutChecksum * 1000, r.matchMBps, r.keyMBps, r.byteLoopMBps, r.matches, r.textBytes))
                }
            }
        }
    }
}

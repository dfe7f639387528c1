import ArgumentParser
import Dispatch
import Foundation
import Glean

/// `glean annotate`: JSONL or text in, annotated JSONL out.
struct AnnotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Annotate documents with tokens, sentences and entities.",
        discussion: """
            INPUT is a file (.jsonl, .ndjson, .json: one JSON object per line; .txt: one document per \
            file, or per line with --lines; any of them .gz or .zst), a directory (read recursively, \
            in sorted order) or - for stdin (the default; JSONL unless --format text).

            Offsets are code points, end-exclusive, by default: record["text"][start:end] in Python \
            is the annotated text, and every record loads with spaCy's Doc.from_json.

            Exit status: 0 every record annotated; 1 some records failed (each has an error record); \
            2 usage or configuration error (nothing written); 130/143 interrupted.
            """
    )

    @Argument(help: "Input files or directories, or - for stdin.")
    var inputs: [String] = []

    @Option(name: .shortAndLong, help: "Output: a file (replaced atomically; .gz/.zst compress), - for stdout, or DIR/ for one output per input file.")
    var output: String = "-"

    @Option(help: "Errors file (default: OUTPUT.errors.jsonl beside a file output; stderr for stdout).")
    var errors: String?

    @Option(help: "Field holding the text; a dotted path (a.b) reaches into nested objects.")
    var textField = "text"

    @Option(help: "Field holding the record id (used in error records).")
    var idField = "id"

    @Option(help: "Language when a record has no \"lang\" field.")
    var lang = "en"

    @Option(help: "Offset unit: codepoint, utf16 or utf8.")
    var offsets = "codepoint"

    @Option(help: "What to write, comma-separated: tokens, sents, ents, spans.")
    var emit = "tokens,sents,ents"

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Annotate only the first N records (a dry run).")
    var limit: Int?

    @Option(help: "Stop with status 1 once N records have failed.")
    var maxErrors: Int?

    @Option(help: "Longest record read (bytes; a document of a whole .txt file included): a longer one is skipped to the next line as one error record.")
    var maxRecordBytes: Int = 1 << 30

    @Flag(help: ".txt inputs: one document per line instead of one per file.")
    var lines = false

    @Option(help: "Input format for stdin or files with other names: jsonl or text.")
    var format: String?

    @Option(help: "Write the end summary as JSON to this file.")
    var summaryJson: String?

    @Flag(name: .shortAndLong, help: "No progress bar and no summary (errors are still reported).")
    var quiet = false

    @OptionGroup(title: "Models")
    var models: ModelOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if let maxErrors, maxErrors < 1 { throw ValidationError("--max-errors must be at least 1") }
        if maxRecordBytes < 1 { throw ValidationError("--max-record-bytes must be at least 1") }
        if OffsetUnit(rawValue: offsets) == nil { throw ValidationError("--offsets must be codepoint, utf16 or utf8") }
    }

    func run() throws {
        var config = AnnotatorConfiguration()
        config.textField = textField
        config.idField = idField
        config.defaultLanguage = lang
        config.offsets = OffsetUnit(rawValue: offsets)!
        config.emit = try EmitSet(parsing: emit)
        if !config.emit.isDisjoint(with: [.ents, .spans]) {
            config.stages = try models.stages()
            config.labels = models.labelSet
        }

        var options = PipelineOptions()
        let defaultFormat: InputFormat?
        switch format {
        case nil: defaultFormat = nil
        case "jsonl": defaultFormat = .jsonl
        case "text", "txt": defaultFormat = .text
        default: throw UsageError("--format must be jsonl or text")
        }
        options.inputs = try InputExpander.expand(inputs, defaultFormat: defaultFormat).map { file in
            var f = file
            if f.isStdin, let defaultFormat { f.format = defaultFormat }
            return f
        }
        if options.inputs.isEmpty { throw UsageError("no input files found in \(inputs.joined(separator: " "))") }
        options.output = try outputTarget(for: options.inputs)
        options.errorsPath = errors
        options.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        options.limit = limit
        options.maxErrors = maxErrors
        options.textLines = lines
        options.maxRecordBytes = maxRecordBytes
        options.progress = !quiet && isatty(2) != 0

        let annotator = try Annotator(configuration: config)
        let pipeline = Pipeline(annotator: annotator, options: options)
        let signals = Self.installSignalHandlers(pipeline)
        let summary = try pipeline.run()
        signals.forEach { $0.cancel() }

        if let summaryJson {
            try SummaryReport.json(summary, configuration: config, options: options)
                .write(to: URL(fileURLWithPath: summaryJson))
        }
        if !quiet {
            FileHandle.standardError.write(Data(SummaryReport.text(summary).utf8))
        } else if summary.statistics.errors > 0 {
            FileHandle.standardError.write(Data("glean: \(summary.statistics.errors) records failed; see \(summary.errorsDescription ?? "stderr")\n".utf8))
        }
        if let signal = summary.signal { throw ExitCode(128 + signal) }
        if summary.statistics.errors > 0 || summary.stoppedEarly != nil { throw ExitCode(1) }
    }

    func outputTarget(for inputs: [InputFile]) throws -> OutputTarget {
        if output == "-" { return .stdout }
        var isDirectory: ObjCBool = false
        if output.hasSuffix("/") || (FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) && isDirectory.boolValue) {
            if inputs.contains(where: \.isStdin) { throw UsageError("-o DIR/ needs input files, not stdin") }
            return .directory(output)
        }
        return .file(output)
    }

    /// SIGINT and SIGTERM stop the reader; the batches in flight are finished, then glean exits
    /// with 128 + the signal's number.
    static func installSignalHandlers(_ pipeline: Pipeline) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { pipeline.requestStop("interrupted", signal: sig) }
            source.resume()
            return source
        }
    }
}

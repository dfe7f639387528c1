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
            2 usage or configuration error, an input that cannot be opened, or a write failure (the \
            target is not replaced); 129/130/143 interrupted by SIGHUP/SIGINT/SIGTERM (131 SIGQUIT).

            A file or directory output is written beside its target and renamed into place when \
            complete; an interrupted run keeps the partial output and OUTPUT.glean-checkpoint, and \
            the same command with --resume continues it.

            The default gazetteer and the pattern packs are compiled once into a cache directory \
            ($GLEAN_CACHE_DIR, else $XDG_CACHE_HOME/glean, else ~/.cache/glean), keyed on their \
            files' bytes; later runs read the compiled form. A cache that cannot be written is skipped.
            """
    )

    @Argument(help: "Input files or directories, or - for stdin.")
    var inputs: [String] = []

    @Option(name: .shortAndLong, help: "Output: a file (replaced atomically; .gz/.zst compress; .spacy, .csv, .tsv choose the format), - for stdout, or DIR/ for one output per input file.")
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

    @Option(help: "Output format: jsonl (default), compact (tokens as columns), spacy (DocBin), entities (one row per entity). Default: by the output's extension (.spacy, .csv, .tsv), else jsonl.")
    var outputFormat: String?

    @Option(help: "Write the end summary as JSON to this file.")
    var summaryJson: String?

    @Flag(name: .shortAndLong, help: "No progress bar and no summary (errors are still reported).")
    var quiet = false

    @Flag(help: "Continue an interrupted run from OUTPUT.glean-checkpoint (same inputs, models and options; starts afresh when there is none).")
    var resume = false

    @Flag(help: "Write each failed record's error record into the output in its place, as {\"error\":{...}} (with the record's id at the top level), so that every non-blank input line gives one output line; no errors file.")
    var inlineErrors = false

    @Option(help: ArgumentHelp("Annotate only share K of N (K from 0): by file when there are at least N inputs, else by record; line numbers stay absolute.", valueName: "K/N"))
    var shard: String?

    @Option(help: "How --shard splits the inputs: auto, file or record.")
    var shardBy = "auto"

    @Option(help: "Records per batch at most (a batch also ends when piped input has no more lines ready).")
    var batchSize = 512

    @OptionGroup(title: "Models")
    var models: ModelOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if let maxErrors, maxErrors < 1 { throw ValidationError("--max-errors must be at least 1") }
        if maxRecordBytes < 1 { throw ValidationError("--max-record-bytes must be at least 1") }
        if OffsetUnit(rawValue: offsets) == nil { throw ValidationError("--offsets must be codepoint, utf16 or utf8") }
        if resume, output == "-" { throw ValidationError("--resume needs -o FILE or -o DIR/ (stdout cannot be resumed)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if ShardUnit(rawValue: shardBy) == nil { throw ValidationError("--shard-by must be auto, file or record") }
        if inlineErrors, errors != nil { throw ValidationError("--inline-errors writes errors into the output; it cannot be used with --errors") }
    }

    func run() throws {
        // Before anything else, so that no signal is lost while the models load.
        StopSignals.install()
        var config = AnnotatorConfiguration()
        config.textField = textField
        config.idField = idField
        config.defaultLanguage = lang
        config.offsets = OffsetUnit(rawValue: offsets)!
        config.emit = try EmitSet(parsing: emit)
        if !config.emit.isDisjoint(with: [.ents, .spans]) {
            config.stages = try models.stages()
            config.labels = models.labelSet
            ModelCoverage.warnings(stages: config.stages, labels: config.labels, lang: lang).forEach { warn($0) }
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
        if case .file(let path) = options.output {
            config.outputFormat = try OutputFormat(name: outputFormat, outputPath: path)
        } else {
            config.outputFormat = try OutputFormat(name: outputFormat, outputPath: nil)
        }
        // A DocBin holds the tokens of every document.
        if config.outputFormat == .spacy { config.emit.insert(.tokens) }
        options.errorsPath = errors
        options.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        options.limit = limit
        options.maxErrors = maxErrors
        options.textLines = lines
        options.maxRecordBytes = maxRecordBytes
        options.progress = !quiet && isatty(2) != 0
        options.batchRecords = batchSize
        options.inlineErrors = inlineErrors
        if let shard {
            do {
                options.shard = try Shard(parsing: shard, unit: ShardUnit(rawValue: shardBy)!).resolved(inputs: options.inputs.count)
            } catch let error as ConfigurationError {
                throw UsageError(error.description)
            }
            if options.shard?.unit == .record, case .directory = options.output {
                throw UsageError("--shard \(shard) splits by record here, and every shard would write the same files under -o DIR/; use --shard-by file (at most one shard per input file)")
            }
        }
        options.resume = resume
        try RunPreflight.check(options, otherOutputs: summaryJson.map { [("--summary-json", $0)] } ?? [])

        let annotator = try Annotator(configuration: config)
        let pipeline = Pipeline(annotator: annotator, options: options)
        StopSignals.attach(pipeline)
        let summary = try pipeline.run()


        if let summaryJson, summary.signal == nil {
            let sink = try OutputSink(path: summaryJson)
            try sink.write([UInt8](SummaryReport.json(summary, configuration: config, options: options)))
            try sink.commit()
        }
        if !quiet {
            FileHandle.standardError.write(Data(SummaryReport.text(summary).utf8))
        } else if summary.statistics.errors > 0 {
            FileHandle.standardError.write(Data("glean: \(summary.statistics.errors) records failed; see \(summary.errorsDescription ?? "stderr")\n".utf8))
            FileHandle.standardError.write(Data(SummaryReport.failureLines(summary.statistics).map { $0 + "\n" }.joined().utf8))
        }
        if let signal = summary.signal {
            FileHandle.standardError.write(Data(Self.interruptedMessage(signal: signal, checkpoint: summary.checkpointPath).utf8))
            throw ExitCode(128 + signal)
        }
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

    static func interruptedMessage(signal: Int32, checkpoint: String?) -> String {
        let name = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP", SIGQUIT: "SIGQUIT"][signal] ?? "signal \(signal)"
        if let checkpoint {
            return "glean: interrupted by \(name); the output was not replaced; the partial output and \(checkpoint) are kept: run the same command with --resume to continue\n"
        }
        return "glean: interrupted by \(name); the output is incomplete\n"
    }
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT stop the reader; the batches in flight are finished and
/// written, the checkpoint is saved, and glean exits with 128 + the signal's number. When the
/// reader is blocked (a FIFO with no writer, a terminal) or a large record is still in flight
/// after a grace period (`GLEAN_STOP_GRACE_SECONDS`, 2 s), or at a second signal, the writer
/// stops at once instead: what was written is synced and checkpointed, the rest dropped, and the
/// process exits from here.
///
/// The handler itself only writes the signal's number to a pipe (async-signal-safe, installed
/// with sigaction before the models load, so no signal is lost); a thread reads the pipe and
/// does the rest. A signal before the pipeline exists exits at once: nothing was written.
enum StopSignals {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    nonisolated(unsafe) static var pipeFDs: [Int32] = [-1, -1]
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pipeline: Pipeline?
    nonisolated(unsafe) private static var received = 0

    static func install() {
        // A file size limit (RLIMIT_FSIZE) is a write error (EFBIG) naming the file, not a kill.
        signal(SIGXFSZ, SIG_IGN)
        guard pipe(&pipeFDs) == 0 else { return }
        _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
        signalWriteFD = pipeFDs[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in
            var byte = UInt8(truncatingIfNeeded: sig)
            _ = write(signalWriteFD, &byte, 1)
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        for sig in signals { sigaction(sig, &action, nil) }
        // A parent may have started glean with these signals blocked (the mask is inherited
        // across exec): unblock them, before any other thread exists, so that they arrive.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in signals { sigaddset(&unblock, sig) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        let readFD = pipeFDs[0]
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readFD, &byte, 1)
                if n < 0, errno == EINTR { continue }
                guard n == 1 else { return }
                handle(Int32(byte))
            }
        }
        thread.start()
    }

    static func attach(_ p: Pipeline) {
        lock.lock()
        pipeline = p
        lock.unlock()
    }

    private static func handle(_ sig: Int32) {
        lock.lock()
        let p = pipeline
        received += 1
        let count = received
        lock.unlock()
        guard let p else {
            FileHandle.standardError.write(Data("glean: interrupted before any output was written\n".utf8))
            _exit(128 + sig)
        }
        p.requestStop("interrupted", signal: sig)
        let grace = ProcessInfo.processInfo.environment["GLEAN_STOP_GRACE_SECONDS"].flatMap(Double.init) ?? 2
        if count > 1 {
            abandon(p, sig)
        } else {
            DispatchQueue.global().asyncAfter(deadline: .now() + grace) { abandon(p, sig) }
        }
    }

    /// Stops the writer now and exits; returns when the run had already finished by itself.
    private static func abandon(_ p: Pipeline, _ sig: Int32) {
        // The writer may itself be blocked (a FIFO or pipe output nobody reads): then exit anyway
        // after a while; the checkpoint on disk is the last one written.
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let (finished, checkpoint) = p.abandon()
            guard finished else { done.signal(); return }
            FileHandle.standardError.write(Data(AnnotateCommand.interruptedMessage(signal: sig, checkpoint: checkpoint).utf8))
            _exit(128 + sig)
        }
        if done.wait(timeout: .now() + 10) == .timedOut {
            FileHandle.standardError.write(Data("glean: interrupted; the output could not be flushed\n".utf8))
            _exit(128 + sig)
        }
    }
}

/// The write end of the signal pipe, for the C signal handler (which captures nothing).
nonisolated(unsafe) var signalWriteFD: Int32 = -1

import Dispatch
import Foundation
import GleanCore
import GleanIO

/// Receives batch results in any order and writes them in input order, on one serial queue,
/// through the output format's ``OutputAssembler`` (one per output: a CSV header, a DocBin
/// gathered whole). Also keeps the running totals, the progress bar, the `--max-errors` check
/// and the checkpoint.
///
/// Outputs are written to partial files beside their targets and renamed into place when the
/// run completes (in `-o DIR/` mode each finished output is closed, so that one file descriptor
/// is open at a time). Beside a file or directory output the checkpoint records, at batch
/// boundaries (at most every ``PipelineOptions/checkpointInterval`` seconds), what was written
/// and how far the inputs were read; an interrupted run (a signal, a write failure, a kill)
/// leaves the partial files and the checkpoint, and `--resume` continues from there. A spaCy
/// DocBin is one blob written when its output completes, so it has no checkpoint.
final class OrderedWriter: @unchecked Sendable {
    private let queue = DispatchQueue(label: "glean.writer")
    private let options: PipelineOptions
    private unowned let pipeline: Pipeline
    private var pending: [Int: BatchResult] = [:]
    private var nextSequence = 0
    private var statistics = RunStatistics()
    private var failure: Error?
    private var maxErrorsReached = false
    /// Set by finish or abandon: nothing more is written.
    private var closed = false

    private var sink: OutputSink?
    /// The output format's assembler for the open sink (a CSV header, a DocBin gathered whole).
    private var assembler: (any OutputAssembler)?
    private let outputFormat: OutputFormat
    private var sinkFileIndex = -1
    /// Directory mode: outputs finished and closed, renamed into place by finish.
    private var finishedOutputs: [(partial: String, target: String)] = []
    private var errorSink: OutputSink?
    private var errorsPath: String?
    private let progress: ProgressBar?

    /// Workers waiting to stream a large record, by the sequence of their batch: each is
    /// signalled once every earlier batch is written.
    private var turnWaiters: [Int: DispatchSemaphore] = [:]
    /// Bytes of the batch being streamed that are in the output already (not yet a batch
    /// boundary, so a checkpoint leaves them out).
    private var streamedBytes: Int64 = 0

    private var checkpoint: CheckpointFile?
    private var state = CheckpointState()
    private var lastCheckpoint = DispatchTime.now()
    /// Where the reader starts: the state of the checkpoint resumed from, or nil.
    let resumedFrom: CheckpointState?

    init(options: PipelineOptions, pipeline: Pipeline, fingerprint: [String: String]) throws {
        self.options = options
        self.pipeline = pipeline
        outputFormat = pipeline.annotator.configuration.outputFormat
        if options.progress {
            let total = options.inputs.reduce(Int64(0)) { $0 + ($1.size ?? 0) }
            let known = options.inputs.allSatisfy { $0.size != nil }
            progress = ProgressBar(totalBytes: known ? total : nil)
        } else {
            progress = nil
        }
        errorsPath = Self.errorsPath(for: options)
        state.fingerprint = fingerprint
        // A DocBin is written whole when its output completes: nothing to resume from.
        let checkpointPath = outputFormat == .spacy ? nil : try CheckpointFile.path(for: options.output)
        var resumed: CheckpointState?
        if options.resume {
            guard let checkpointPath else {
                throw ResumeError("--resume needs a file or directory output (not stdout, a FIFO or a device)")
            }
            if let stored = try CheckpointFile.load(checkpointPath) {
                try RunFingerprint.check(stored: stored.fingerprint, current: fingerprint, checkpoint: checkpointPath)
                resumed = stored
            }
        }
        resumedFrom = resumed
        if let resumed, let checkpointPath {
            state = resumed
            statistics = resumed.statistics.runStatistics
            try openResumed(resumed)
            checkpoint = try CheckpointFile(continuing: checkpointPath)
        } else {
            try removeLeftovers(checkpointPath: checkpointPath)
            if case .file(let path) = options.output {
                sink = try OutputSink(path: path)
            } else if case .stdout = options.output {
                sink = OutputSink()
            }
            if let sink { try open(sink, path: sink.path) }
            if let checkpointPath {
                do {
                    checkpoint = try CheckpointFile(creating: checkpointPath)
                    try checkpoint?.write(state)
                } catch {
                    sink?.discard()
                    checkpoint?.remove()
                    throw error
                }
            }
        }
    }

    /// The errors file: `--errors`, else beside a file or directory output, else nil (stderr).
    static func errorsPath(for options: PipelineOptions) -> String? {
        // --inline-errors: error records are part of the output; no errors file is touched.
        if options.inlineErrors { return nil }
        switch options.output {
        case .stdout: return options.errorsPath
        case .file(let path): return options.errorsPath ?? errorsPath(beside: path)
        case .directory(let dir):
            var d = dir
            while d.count > 1, d.hasSuffix("/") { d.removeLast() }
            // Shards writing into one directory must not share (and replace) one errors file.
            let shardSuffix = options.shard.map { ".shard-\($0.index)-of-\($0.count)" } ?? ""
            return options.errorsPath ?? d + shardSuffix + ".errors.jsonl"
        }
    }

    /// Starts an output: a fresh assembler, and its header (compressed as the output is).
    private func open(_ sink: OutputSink, path: String?) throws {
        let a = outputFormat.makeAssembler()
        assembler = a
        try writeFramed(a.header(), to: sink, path: path)
    }

    /// Ends the open output with the assembler's trailer (a DocBin).
    private func close(_ sink: OutputSink, path: String?) throws {
        if let a = assembler { try writeFramed(a.finish(), to: sink, path: path) }
        assembler = nil
    }

    private func writeFramed(_ bytes: [UInt8], to sink: OutputSink, path: String?) throws {
        guard !bytes.isEmpty else { return }
        if outputFormat.allowsCompression, let path, let format = CompressionFormat.fromName(path) {
            try sink.write(BlockCompressor.compress(bytes, as: format))
        } else {
            try sink.write(bytes)
        }
    }

    /// `out.jsonl.gz` -> `out.errors.jsonl`.
    static func errorsPath(beside path: String) -> String {
        var base = path
        for suffix in [".gz", ".zst", ".zstd"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        for suffix in [".jsonl", ".ndjson", ".json", ".spacy", ".csv", ".tsv"] where base.hasSuffix(suffix) { base.removeLast(suffix.count); break }
        return base + ".errors.jsonl"
    }

    private func outputPath(forInput index: Int) -> String {
        guard case .directory(let dir) = options.output else { return "" }
        return (dir as NSString).appendingPathComponent(Self.outputName(for: options.inputs[index].relativePath, format: outputFormat))
    }

    /// A fresh run: the checkpoint and partial files an interrupted run left are removed (the
    /// partial files are Glean's own, under names it reserves).
    private func removeLeftovers(checkpointPath: String?) throws {
        guard let checkpointPath else { return }
        var partials: [String] = []
        switch options.output {
        case .file(let p): partials.append(try ResolvedOutput.resolve(p).partialPath)
        case .directory: partials += try options.inputs.indices.map { try ResolvedOutput.resolve(outputPath(forInput: $0)).partialPath }
        case .stdout: break
        }
        if let errorsPath, let e = try? ResolvedOutput.resolve(errorsPath), e.kind != .special { partials.append(e.partialPath) }
        for p in partials { unlink(p) }
        unlink(checkpointPath)
    }

    /// Reopens the partial files of an interrupted run, cut to the checkpoint's lengths.
    private func openResumed(_ s: CheckpointState) throws {
        switch options.output {
        case .stdout: break
        case .file(let path):
            sink = try OutputSink(path: path, resumeAt: s.fileIndex >= 0 ? s.outputBytes : 0)
        case .directory:
            for i in 0..<max(0, s.fileIndex) {
                let resolved = try ResolvedOutput.resolve(outputPath(forInput: i))
                guard FileManager.default.fileExists(atPath: resolved.partialPath) else {
                    throw ResumeError("cannot resume: \(resolved.partialPath) is missing; run again without --resume to start afresh")
                }
                finishedOutputs.append((resolved.partialPath, resolved.path))
            }
            if s.fileIndex >= 0 {
                sink = try OutputSink(path: outputPath(forInput: s.fileIndex), resumeAt: s.outputBytes)
                sinkFileIndex = s.fileIndex
            }
        }
        // The header of a resumed output is already in its partial file.
        if sink != nil { assembler = outputFormat.makeAssembler() }
        if s.errorsBytes > 0, let errorsPath {
            errorSink = try OutputSink(path: errorsPath, resumeAt: s.errorsBytes)
        } else if let errorsPath, let e = try? ResolvedOutput.resolve(errorsPath), e.kind != .special {
            unlink(e.partialPath)
        }
    }

    /// Queues a batch's result; writes the results that are next in order, handing each to
    /// `written` afterwards (which may take its buffers: the writer holds no other reference).
    func accept(_ result: BatchResult, written: @escaping @Sendable (inout BatchResult) -> Void) {
        queue.async {
            self.pending[result.sequence] = result
            while var next = self.pending.removeValue(forKey: self.nextSequence) {
                self.write(next)
                self.nextSequence += 1
                written(&next)
                self.turnWaiters.removeValue(forKey: self.nextSequence)?.signal()
            }
        }
    }

    /// Directory mode: closes the open output and opens the one of input `fileIndex`.
    private func switchSink(to fileIndex: Int) throws {
        guard case .directory = options.output, fileIndex != sinkFileIndex else { return }
        if let sink, let partial = sink.partialPath, let target = sink.target {
            try close(sink, path: sink.path)
            try sink.close()
            finishedOutputs.append((partial, target))
        }
        let path = outputPath(forInput: fileIndex)
        let fresh = try OutputSink(path: path)
        sink = fresh
        try open(fresh, path: path)
        sinkFileIndex = fileIndex
    }

    /// Whether large records may be streamed (``stream(_:sequence:fileIndex:errorsBefore:)``):
    /// formats whose batches are the output's bytes (not a DocBin, gathered whole).
    var streams: Bool { outputFormat != .spacy }

    /// What became of bytes handed to ``stream(_:sequence:fileIndex:errorsBefore:)``.
    enum StreamOutcome {
        /// In the output.
        case written
        /// Not wanted: the run stopped writing (a failure, `--max-errors`, a signal).
        case dropped
        /// Not written yet: a `--max-errors` cut may fall before them; they stay with the batch.
        case kept
    }

    /// Writes the beginning of batch `sequence`'s output while its worker still prints a large
    /// record, once every earlier batch is written (the caller waits until then). The checkpoint
    /// stays at batch boundaries: until the batch is complete, a checkpoint leaves these bytes
    /// out. `errorsBefore`: the batch's error records before these bytes, for `--max-errors`.
    func stream(_ bytes: UnsafeBufferPointer<UInt8>, sequence: Int, fileIndex: Int, errorsBefore: Int) -> StreamOutcome {
        let turn: DispatchSemaphore? = queue.sync {
            if nextSequence == sequence { return nil }
            let s = DispatchSemaphore(value: 0)
            turnWaiters[sequence] = s
            return s
        }
        turn?.wait()
        return queue.sync {
            guard !closed, failure == nil, !maxErrorsReached else { return .dropped }
            if let max = options.maxErrors, statistics.errors + errorsBefore >= max { return .kept }
            do {
                if case .directory = options.output, fileIndex != sinkFileIndex {
                    try switchSink(to: fileIndex)
                    // The new output's start is a boundary: a checkpoint now resumes there.
                    state.fileIndex = fileIndex
                    state.batchesOfFile = 0
                    state.nextOffset = 0
                    state.nextLine = 1
                    streamedBytes = 0
                }
                let before = sink?.bytesWritten ?? 0
                if outputFormat.allowsCompression, let format = pipelineCompression(fileIndex) {
                    try BlockCompressor.compress(bytes, as: format).withUnsafeBufferPointer { try writeBatch($0) }
                } else {
                    try writeBatch(bytes)
                }
                streamedBytes += (sink?.bytesWritten ?? 0) - before
                return .written
            } catch {
                failure = error
                pipeline.requestStop("write failed: \(error)")
                return .dropped
            }
        }
    }

    private func write(_ result: BatchResult) {
        // After --max-errors, a failure or the end nothing more is written (batches in flight are dropped).
        guard !closed, failure == nil, !maxErrorsReached else { return }
        do {
            try switchSink(to: result.fileIndex)
            var errors = result.errors
            var batchStatistics = result.statistics
            if result.cuts == nil {
                try result.output.withUnsafeBytes { try writeBatch($0) }
            } else {
                // With --max-errors: end the output at the record that brings the error count to N,
                // then compress what is kept.
                var outputEnd = result.output.count
                if let max = options.maxErrors, let cut = result.cuts?.first(where: { statistics.errors + $0.errors >= max }) {
                    outputEnd = cut.outputEnd
                    errors.removeSubrange(cut.errorsEnd...)
                    batchStatistics = cut.statistics
                }
                try result.output.withUnsafeBytes { all in
                    let kept = UnsafeBufferPointer(rebasing: all[0..<outputEnd])
                    if outputFormat.allowsCompression, let format = pipelineCompression(result.fileIndex) {
                        try BlockCompressor.compress(kept, as: format).withUnsafeBufferPointer { try writeBatch($0) }
                    } else {
                        try writeBatch(kept)
                    }
                }
            }
            // The batch is complete: its streamed bytes are behind a boundary now.
            streamedBytes = 0
            if !errors.isEmpty {
                if let errorsPath {
                    if errorSink == nil { errorSink = try OutputSink(path: errorsPath) }
                    try errorSink?.write(errors)
                } else {
                    FileHandle.standardError.write(Data(errors))
                }
            }
            statistics.add(batchStatistics)
            progress?.update(statistics)
            if result.fileIndex != state.fileIndex {
                state.fileIndex = result.fileIndex
                state.batchesOfFile = 0
            }
            state.batchesOfFile += 1
            state.recordsRead += result.recordCount
            state.nextOffset = result.nextOffset
            state.nextLine = result.nextLine
            state.readPosition = result.readPosition
            if let max = options.maxErrors, statistics.errors >= max {
                maxErrorsReached = true
                pipeline.requestStop("--max-errors \(max) reached")
            }
            if checkpoint != nil, !maxErrorsReached,
               Double(DispatchTime.now().uptimeNanoseconds - lastCheckpoint.uptimeNanoseconds) / 1e9 >= options.checkpointInterval {
                try saveCheckpoint()
            }
        } catch {
            failure = error
            pipeline.requestStop("write failed: \(error)")
        }
    }

    /// One batch into the open output, through its assembler (a DocBin gathers it instead).
    private func writeBatch(_ batch: UnsafeBufferPointer<UInt8>) throws {
        if let replaced = assembler?.consume(batch) {
            if !replaced.isEmpty { try sink?.write(replaced) }
        } else {
            try sink?.write(batch)
        }
    }

    private func pipelineCompression(_ fileIndex: Int) -> CompressionFormat? {
        switch options.output {
        case .stdout: return nil
        case .file(let path): return CompressionFormat.fromName(path)
        case .directory: return CompressionFormat.fromName(options.inputs[fileIndex].relativePath)
        }
    }

    /// Syncs the partial files, then records in the checkpoint what they hold.
    private func saveCheckpoint() throws {
        guard let checkpoint else { return }
        try sink?.sync()
        try errorSink?.sync()
        // A record being streamed is left out: the checkpoint stays at a batch boundary.
        state.outputBytes = (sink?.bytesWritten ?? 0) - streamedBytes
        state.errorsBytes = errorSink?.bytesWritten ?? 0
        state.statistics = StoredStatistics(statistics)
        try checkpoint.write(state)
        lastCheckpoint = DispatchTime.now()
    }

    /// Output name for an input in directory mode: `a/b.txt.gz` -> `a/b.jsonl.gz`.
    /// With `--output-format spacy` (no compression): `a/b.txt.gz` -> `a/b.spacy`.
    static func outputName(for relative: String, format: OutputFormat = .jsonl) -> String {
        var base = relative
        var compression = ""
        for suffix in [".gz", ".zst", ".zstd"] where base.hasSuffix(suffix) {
            base.removeLast(suffix.count)
            compression = suffix
        }
        for suffix in [".jsonl", ".ndjson", ".json", ".txt"] where base.hasSuffix(suffix) {
            base.removeLast(suffix.count)
            break
        }
        return base + format.directorySuffix + (format.allowsCompression ? compression : "")
    }

    /// Keeps the partial files and the checkpoint, closed, for `--resume`.
    private func keepForResume(save: Bool = true) {
        // After a write failure the last checkpoint stands: it describes bytes known to be written.
        if save { try? saveCheckpoint() }
        try? sink?.close()
        try? errorSink?.close()
        checkpoint?.keep()
    }

    /// Stops writing now (a signal while the reader is blocked or a record is in flight): the
    /// batches written so far are synced and checkpointed, later ones dropped. Returns the path
    /// of the checkpoint kept, or nil when the run had already finished.
    func abandon() -> (finished: Bool, checkpoint: String?) {
        queue.sync {
            guard !closed else { return (false, nil) }
            closed = true
            progress?.finish()
            if checkpoint != nil {
                keepForResume(save: failure == nil)
            } else {
                try? sink?.close()
                try? errorSink?.close()
            }
            return (true, checkpoint?.path)
        }
    }

    /// Commits the outputs, or after an interruption or a write failure keeps them as partial
    /// files beside the checkpoint, and returns the totals.
    func finish(interrupted: Bool) throws -> RunSummary {
        try queue.sync {
            closed = true
            progress?.finish()
            var summary = RunSummary()
            if failure == nil, !interrupted, let sink {
                do { try close(sink, path: sink.path) } catch { failure = error }
            }
            if let failure {
                if checkpoint != nil {
                    keepForResume(save: false)
                    throw OutputError("\(failure); the output was not replaced; the partial output and \(checkpoint!.path) are kept: run the same command with --resume once the cause is fixed")
                }
                sink?.discard()
                errorSink?.discard()
                throw failure
            }
            if interrupted {
                if checkpoint != nil {
                    keepForResume()
                    summary.checkpointPath = checkpoint?.path
                } else {
                    try? sink?.close()
                    try? errorSink?.close()
                }
            } else {
                do {
                    try sink?.close()
                    try errorSink?.close()
                    for (partial, target) in finishedOutputs where rename(partial, target) != 0 {
                        throw OutputError("\(target): cannot rename the finished output into place: \(String(cString: strerror(errno)))")
                    }
                    try sink?.commit()
                    try errorSink?.commit()
                } catch {
                    if checkpoint != nil { keepForResume(save: false) }
                    throw error
                }
                checkpoint?.remove()
            }
            summary.statistics = statistics
            switch options.output {
            case .stdout: summary.outputDescription = "stdout"
            case .file(let p): summary.outputDescription = p
            case .directory(let d): summary.outputDescription = d
            }
            summary.errorsDescription = statistics.errors > 0
                ? (options.inlineErrors ? "the error lines in \(summary.outputDescription)" : errorsPath ?? "stderr") : nil
            return summary
        }
    }
}

/// A one-line progress bar on stderr: documents, MB read, MB/s, and the ETA when the total
/// input size is known. Redrawn at most five times a second.
final class ProgressBar {
    let totalBytes: Int64?
    let started = DispatchTime.now()
    var lastDraw: UInt64 = 0

    init(totalBytes: Int64?) {
        self.totalBytes = totalBytes
    }

    func update(_ s: RunStatistics) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw > 200_000_000 else { return }
        lastDraw = now
        let seconds = Double(now - started.uptimeNanoseconds) / 1e9
        let mb = Double(s.inputBytes) / 1e6
        let rate = seconds > 0 ? mb / seconds : 0
        var line = String(format: "\r%@ docs  %.1f MB  %.1f MB/s", SummaryReport.grouped(s.records + s.errors), mb, rate)
        if let total = totalBytes, total > 0 {
            let fraction = min(1, Double(s.inputBytes) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            let eta = rate > 0 ? (Double(total) / 1e6 - mb) / rate : 0
            line = String(format: "\r[%@%@] %3.0f%%", String(repeating: "#", count: filled),
                          String(repeating: " ", count: width - filled), fraction * 100)
                + "  " + line.dropFirst() + String(format: "  ETA %d:%02d", Int(eta) / 60, Int(eta) % 60)
        }
        if s.errors > 0 { line += "  \(s.errors) errors" }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

import Dispatch
import Foundation
import GleanCore
import GleanIO

/// Receives batch results in any order and writes them in input order, on one serial queue,
/// through the output format's ``OutputAssembler`` (one per output). Also keeps the running totals, the progress bar and the `--max-errors` check.
final class OrderedWriter: @unchecked Sendable {
    private let queue = DispatchQueue(label: "glean.writer")
    private let options: PipelineOptions
    private unowned let pipeline: Pipeline
    private var pending: [Int: BatchResult] = [:]
    private var nextSequence = 0
    private var statistics = RunStatistics()
    private var failure: Error?
    private var maxErrorsReached = false

    private var sink: OutputSink?
    /// The output format's assembler for the open sink (a CSV header, a DocBin gathered whole).
    private var assembler: (any OutputAssembler)?
    private let outputFormat: OutputFormat
    private var sinkFileIndex = -1
    private var committed: [OutputSink] = []
    private var errorSink: OutputSink?
    private let errorsPath: String?
    private let progress: ProgressBar?

    init(options: PipelineOptions, pipeline: Pipeline) throws {
        self.options = options
        self.pipeline = pipeline
        outputFormat = pipeline.annotator.configuration.outputFormat
        switch options.output {
        case .stdout:
            sink = OutputSink()
            errorsPath = options.errorsPath
        case .file(let path):
            sink = try OutputSink(path: path)
            errorsPath = options.errorsPath ?? Self.errorsPath(beside: path)
        case .directory(let dir):
            var d = dir
            while d.count > 1, d.hasSuffix("/") { d.removeLast() }
            errorsPath = options.errorsPath ?? d + ".errors.jsonl"
        }
        if options.progress {
            let total = options.inputs.reduce(Int64(0)) { $0 + ($1.size ?? 0) }
            let known = options.inputs.allSatisfy { $0.size != nil }
            progress = ProgressBar(totalBytes: known ? total : nil)
        } else {
            progress = nil
        }
        if let sink { try open(sink, path: sink.path) }
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

    func accept(_ result: BatchResult, written: @escaping @Sendable (BatchResult) -> Void) {
        queue.async {
            self.pending[result.sequence] = result
            while let next = self.pending.removeValue(forKey: self.nextSequence) {
                self.write(next)
                self.nextSequence += 1
                written(next)
            }
        }
    }

    private func write(_ result: BatchResult) {
        // After --max-errors is reached nothing more is written (batches already in flight are dropped).
        guard failure == nil, !maxErrorsReached else { return }
        statistics.add(result.statistics)
        progress?.update(statistics)
        do {
            if case .directory(let dir) = options.output, result.fileIndex != sinkFileIndex {
                if let sink {
                    try close(sink, path: sink.path)
                    committed.append(sink)
                }
                let relative = options.inputs[result.fileIndex].relativePath
                let path = (dir as NSString).appendingPathComponent(Self.outputName(for: relative, format: outputFormat))
                let fresh = try OutputSink(path: path)
                sink = fresh
                try open(fresh, path: path)
                sinkFileIndex = result.fileIndex
            }
            try result.output.withUnsafeBytes { batch in
                if let replaced = assembler?.consume(batch) {
                    if !replaced.isEmpty { try sink?.write(replaced) }
                } else {
                    try sink?.write(batch)
                }
            }
            if !result.errors.isEmpty {
                if let errorsPath {
                    if errorSink == nil { errorSink = try OutputSink(path: errorsPath) }
                    try errorSink?.write(result.errors)
                } else {
                    FileHandle.standardError.write(Data(result.errors))
                }
            }
        } catch {
            failure = error
            pipeline.requestStop("write failed: \(error)")
        }
        if let max = options.maxErrors, statistics.errors >= max {
            maxErrorsReached = true
            pipeline.requestStop("--max-errors \(max) reached")
        }
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

    /// Commits the outputs (or discards them after an interruption) and returns the totals.
    func finish(interrupted: Bool) throws -> RunSummary {
        try queue.sync {
            progress?.finish()
            if let sink {
                if failure == nil, !interrupted {
                    do { try close(sink, path: sink.path) } catch { failure = error }
                }
                committed.append(sink)
            }
            if let failure {
                committed.forEach { $0.discard() }
                errorSink?.discard()
                throw failure
            }
            if interrupted {
                for s in committed where s.path != nil { s.discard() }
            } else {
                for s in committed { try s.commit() }
            }
            try errorSink?.commit()
            if errorSink == nil, let errorsPath, !interrupted, FileManager.default.fileExists(atPath: errorsPath) {
                // A stale errors file from an earlier run would be misread as this run's.
                try? FileManager.default.removeItem(atPath: errorsPath)
            }
            var summary = RunSummary()
            summary.statistics = statistics
            switch options.output {
            case .stdout: summary.outputDescription = "stdout"
            case .file(let p): summary.outputDescription = p
            case .directory(let d): summary.outputDescription = d
            }
            summary.errorsDescription = statistics.errors > 0 ? (errorsPath ?? "stderr") : nil
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

import Dispatch
import Foundation
import GleanCore
import GleanIO

/// Where annotated records go.
public enum OutputTarget: Sendable, Equatable {
    case stdout
    /// One file, replaced atomically when the run completes; `.gz`/`.zst` compress.
    case file(String)
    /// A directory: one output per input file, mirroring the input tree (`-o DIR/`).
    case directory(String)
}

/// How a run reads, writes and stops.
public struct PipelineOptions: Sendable {
    public var inputs: [InputFile] = [.stdin]
    public var output: OutputTarget = .stdout
    /// The errors file; nil: `OUTPUT.errors.jsonl` beside a file output, `DIR.errors.jsonl`
    /// beside a directory output, stderr for stdout.
    public var errorsPath: String? = nil
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Annotate only the first N records.
    public var limit: Int? = nil
    /// Stop (exit status 1) once N records failed.
    public var maxErrors: Int? = nil
    /// `.txt` inputs: one document per line instead of one per file.
    public var textLines = false
    /// Show a progress bar on stderr (the CLI sets it when stderr is a terminal).
    public var progress = false
    /// The longest record read into memory (bytes): a longer one becomes one error record and
    /// reading goes on with the next line (`--max-record-bytes`).
    public var maxRecordBytes = RecordReader.defaultMaxRecordBytes
    /// Batches in flight per worker thread: bounds memory however large the corpus.
    public var batchesInFlightPerThread = 4

    public init() {}
}

/// What a run did, for the end summary and `--summary-json`.
public struct RunSummary: Sendable {
    public var statistics = RunStatistics()
    public var files = 0
    public var seconds = 0.0
    public var threads = 1
    /// Why the run stopped early, if it did ("interrupted", "--max-errors reached").
    public var stoppedEarly: String? = nil
    public var signal: Int32? = nil
    public var outputDescription = "stdout"
    public var errorsDescription: String? = nil

    /// Megabytes (10^6 bytes) of document text per second.
    public var megabytesPerSecond: Double { seconds > 0 ? Double(statistics.textBytes) / 1e6 / seconds : 0 }
}

/// The concurrent, ordered pipeline: one reader (I/O, decompression, line splitting) on the
/// calling thread, `threads` workers on Dispatch (decode, annotate, render, compress), one writer
/// (a serial queue) that emits batches in input order. At most `threads ×
/// batchesInFlightPerThread` batches exist at once, so memory stays flat; the output is
/// byte-identical for any number of threads.
public final class Pipeline {
    public let annotator: Annotator
    public let options: PipelineOptions

    private let stopLock = NSLock()
    private var stopReason: String?
    private var stopSignal: Int32?

    public init(annotator: Annotator, options: PipelineOptions) {
        self.annotator = annotator
        self.options = options
    }

    /// Asks the run to stop after the batches already read (from a signal handler's queue).
    public func requestStop(_ reason: String, signal: Int32? = nil) {
        stopLock.lock()
        if stopReason == nil { stopReason = reason; stopSignal = signal }
        stopLock.unlock()
    }

    var shouldStop: Bool {
        stopLock.lock()
        defer { stopLock.unlock() }
        return stopReason != nil
    }

    public func run() throws -> RunSummary {
        let started = DispatchTime.now()
        let threads = max(1, options.threads)
        let writer = try OrderedWriter(options: options, pipeline: self)
        let workerSlots = DispatchSemaphore(value: threads)
        let inFlight = DispatchSemaphore(value: threads * max(1, options.batchesInFlightPerThread))
        let workQueue = DispatchQueue(label: "glean.workers", attributes: .concurrent)
        let group = DispatchGroup()
        let contexts = WorkerContextPool(annotator: annotator, options: options)
        // Make one context up front so that a configuration error surfaces before any output.
        contexts.put(try contexts.take())

        var sequence = 0
        var submitted = 0
        var readFailure: Error?
        fileLoop: for (fileIndex, file) in options.inputs.enumerated() {
            if shouldStop { break }
            let reader: RecordReader
            do {
                reader = try RecordReader(file: file, fileIndex: fileIndex, wholeFile: file.format == .text && !options.textLines)
                reader.maxRecordBytes = options.maxRecordBytes
            } catch {
                readFailure = error
                break
            }
            var batchesOfFile = 0
            while !shouldStop {
                var batch: RecordBatch
                do {
                    guard let next = try reader.nextBatch(sequence: sequence) else {
                        if batchesOfFile > 0 { break }
                        // An empty file still gets its (empty) output file.
                        batch = RecordBatch(sequence: sequence, fileIndex: fileIndex, data: [], records: [])
                        batchesOfFile += 1
                        submit(batch)
                        break
                    }
                    batch = next
                } catch {
                    readFailure = error
                    break fileLoop
                }
                if let limit = options.limit, submitted + batch.records.count >= limit {
                    batch.records.removeLast(submitted + batch.records.count - limit)
                    submitted = limit
                    batchesOfFile += 1
                    submit(batch)
                    break fileLoop
                }
                submitted += batch.records.count
                batchesOfFile += 1
                submit(batch)
                if batch.readError != nil { break }
            }
        }

        func submit(_ batch: RecordBatch) {
            sequence += 1
            inFlight.wait()
            workerSlots.wait()
            group.enter()
            workQueue.async {
                let result = contexts.process(batch)
                workerSlots.signal()
                writer.accept(result) { done in
                    contexts.recycle(done.output)
                    inFlight.signal()
                }
                group.leave()
            }
        }

        group.wait()
        var summary = try writer.finish(interrupted: stopSignal != nil)
        if let readFailure { throw readFailure }
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        summary.threads = threads
        summary.files = options.inputs.count
        stopLock.lock()
        summary.stoppedEarly = stopReason
        summary.signal = stopSignal
        stopLock.unlock()
        return summary
    }
}

/// The result of one batch, ready to write.
struct BatchResult {
    var sequence: Int
    var fileIndex: Int
    /// The rendered records (compressed when the output is), written without a copy.
    var output: JSONWriter
    var errors: [UInt8]
    var statistics: RunStatistics
}

/// Per-thread record processors, handed out to whichever Dispatch thread runs a batch.
final class WorkerContextPool: @unchecked Sendable {
    let annotator: Annotator
    let options: PipelineOptions
    private let lock = NSLock()
    private var free: [AnnotatorWorker] = []
    /// Output buffers the writer is done with, reused so that each batch does not fault in
    /// fresh pages (at most one per batch in flight).
    private var buffers: [JSONWriter] = []

    init(annotator: Annotator, options: PipelineOptions) {
        self.annotator = annotator
        self.options = options
    }

    func take() throws -> AnnotatorWorker {
        lock.lock()
        if let w = free.popLast() { lock.unlock(); return w }
        lock.unlock()
        return try annotator.makeWorker()
    }

    /// Buffers larger than this (grown by one huge record) are freed, not kept: a corpus with one
    /// large document does not hold its output's size for the rest of the run.
    static let largestPooledBuffer = 16 << 20
    /// The first reservation of a batch's output, whatever its input size (it grows as needed).
    static let largestFirstReservation = 8 << 20

    func recycle(_ buffer: JSONWriter) {
        guard buffer.capacity <= Self.largestPooledBuffer else { return }
        var b = buffer
        b.removeAll()
        lock.lock()
        if buffers.count < 64 { buffers.append(b) }
        lock.unlock()
    }

    func takeBuffer(capacity: Int) -> JSONWriter {
        lock.lock()
        let b = buffers.popLast()
        lock.unlock()
        return b ?? JSONWriter(capacity: capacity)
    }

    func put(_ worker: AnnotatorWorker) {
        lock.lock()
        free.append(worker)
        lock.unlock()
    }

    /// Decodes, annotates and renders a batch; compresses it when the output is compressed.
    func process(_ batch: RecordBatch) -> BatchResult {
        let file = options.inputs[batch.fileIndex]
        var output = takeBuffer(capacity: min(batch.data.count * 12, Self.largestFirstReservation) + 4096)
        var errors = JSONWriter(capacity: 0)
        var stats = RunStatistics()
        stats.inputBytes = batch.sourceBytes
        stats.blank = batch.blankLines
        do {
            let worker = try take()
            defer { put(worker) }
            let processor = RecordProcessor(worker: worker, format: file.format,
                                            sourceName: file.isStdin ? "<stdin>" : file.path)
            batch.data.withUnsafeBufferPointer { data in
                for r in batch.records {
                    if let failure = r.failure {
                        stats.errors += 1
                        processor.writeError(reason: failure, id: nil, line: r.line, offset: r.offset, into: &errors)
                        continue
                    }
                    processor.process(UnsafeBufferPointer(rebasing: data[r.start..<r.end]), line: r.line, offset: r.offset,
                                      output: &output, errors: &errors, stats: &stats)
                }
            }
            if let e = batch.readError {
                stats.errors += 1
                processor.writeError(reason: "\(e.reason); the rest of the file cannot be read",
                                     id: nil, line: e.line, offset: e.offset, into: &errors)
            }
        } catch {
            // A worker that cannot be made fails every record of the batch, each with an error record.
            for r in batch.records {
                stats.errors += 1
                ErrorRecord.write(source: file.isStdin ? "<stdin>" : file.path, reason: "\(error)", id: nil,
                                  line: r.line, offset: r.offset, into: &errors)
            }
        }
        if let format = outputCompression(for: batch.fileIndex) {
            let compressed = output.withUnsafeBytes { BlockCompressor.compress($0, as: format) }
            output = JSONWriter(capacity: compressed.count)
            output.raw(compressed)
        }
        return BatchResult(sequence: batch.sequence, fileIndex: batch.fileIndex, output: output, errors: errors.bytes, statistics: stats)
    }

    func outputCompression(for fileIndex: Int) -> CompressionFormat? {
        switch options.output {
        case .stdout: return nil
        case .file(let path): return CompressionFormat.fromName(path)
        case .directory:
            return CompressionFormat.fromName(options.inputs[fileIndex].relativePath)
        }
    }
}


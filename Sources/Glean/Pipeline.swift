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
    /// Continue an interrupted run from its checkpoint (`--resume`); without a checkpoint the
    /// run starts afresh.
    public var resume = false
    /// Seconds between checkpoints (each fsyncs the partial output); 0: after every batch.
    /// `GLEAN_CHECKPOINT_SECONDS` overrides the default of 1.
    public var checkpointInterval = ProcessEnvironment.variables["GLEAN_CHECKPOINT_SECONDS"].flatMap(Double.init) ?? 1
    /// Records per batch at most (`--batch-size`). A batch also ends early when the input has
    /// no more bytes ready (a pipe that trickles), so a filter never waits for a full batch.
    public var batchRecords = 512
    /// Only this share of the records (`--shard K/N`), resolved to by-file or by-record.
    public var shard: Shard? = nil
    /// Error records go into the output in the failed record's place (`--inline-errors`).
    public var inlineErrors = false
    /// A JSONL record of at least this many bytes, alone in its batch, is decoded apart from the
    /// bytes it was read into, which are then freed: its text is written back from the decoded
    /// document (``RecordProcessor/process(taking:record:line:offset:output:errors:stats:spill:)``).
    public var detachedRecordBytes = RecordProcessor.detachedRecordBytes

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
    /// The checkpoint kept by an interrupted run, for `--resume`.
    public var checkpointPath: String? = nil

    /// Megabytes (10^6 bytes) of document text per second.
    public var megabytesPerSecond: Double { seconds > 0 ? Double(statistics.textBytes) / 1e6 / seconds : 0 }
}

/// The concurrent, ordered pipeline: one reader (I/O, decompression, line splitting) on the
/// calling thread, `threads` workers on Dispatch (decode, annotate, print, compress: see
/// ``RecordProcessor``), one writer (a serial queue) that emits batches in input order, through
/// the ``OutputAssembler`` of the output format. At most `threads ×
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

    private var activeWriter: OrderedWriter?

    /// Stops writing at once, keeping the partial output and the checkpoint (a signal while the
    /// reader is blocked on input or a large record is in flight). `finished` is false when the
    /// run had already ended by itself.
    public func abandon() -> (finished: Bool, checkpoint: String?) {
        stopLock.lock()
        let writer = activeWriter
        stopLock.unlock()
        return writer?.abandon() ?? (false, nil)
    }

    public func run() throws -> RunSummary {
        let started = DispatchTime.now()
        let threads = max(1, options.threads)
        try RunPreflight.check(options)
        // The fingerprint (every stage's model checksum among its items) is only stored in and
        // compared with a checkpoint: an output that has none (stdout, /dev/null) skips it.
        let fingerprint = try CheckpointFile.path(for: options.output) == nil
            ? [:] : RunFingerprint.items(configuration: annotator.configuration, options: options)
        try ResumeCheck.check(options: options, fingerprint: fingerprint)
        let writer = try OrderedWriter(options: options, pipeline: self, fingerprint: fingerprint)
        stopLock.lock()
        activeWriter = writer
        stopLock.unlock()
        let workerSlots = DispatchSemaphore(value: threads)
        let inFlight = DispatchSemaphore(value: threads * max(1, options.batchesInFlightPerThread))
        let workQueue = DispatchQueue(label: "glean.workers", attributes: .concurrent)
        let group = DispatchGroup()
        let contexts = WorkerContextPool(annotator: annotator, options: options)
        // Make one context up front so that a configuration error surfaces before any output.
        contexts.put(try contexts.take())

        // A resumed run re-reads the batches the checkpoint says were written, and skips them.
        let resume = writer.resumedFrom
        var sequence = 0
        var submitted = resume?.recordsRead ?? 0
        fileLoop: for (fileIndex, file) in options.inputs.enumerated() {
            if shouldStop { break }
            if let shard = options.shard, !shard.owns(fileIndex: fileIndex) { continue }
            if let resume, fileIndex < resume.fileIndex { continue }
            let skip = resume.map { $0.fileIndex == fileIndex ? $0.batchesOfFile : 0 } ?? 0
            let wholeFile = file.format == .text && !options.textLines
            // Whole-file text is one batch: a file with a batch written is done.
            if skip > 0 && wholeFile { continue }
            // Where the next record starts, for the error record of a read that fails.
            var nextLine = 1
            var nextOffset = 0
            let reader: RecordReader
            // A plain file resumes at the position the checkpoint holds (checked before the run by
            // ``ResumeCheck``); other inputs are read again from the start, up to the batches written.
            let position = skip > 0 ? resume?.readPosition : nil
            do {
                reader = try RecordReader(file: file, fileIndex: fileIndex, wholeFile: wholeFile, startAt: position)
                reader.maxBatchRecords = max(1, options.batchRecords)
                reader.maxRecordBytes = options.maxRecordBytes
            } catch {
                if skip == 0 { submit(RecordBatch(sequence: sequence, fileIndex: fileIndex, data: [], records: []), failure: "\(error)") }
                continue
            }
            var batchesOfFile = 0
            if let position, reader.startedAtPosition {
                batchesOfFile = skip
                nextLine = position.line
                nextOffset = position.offset
            }
            while !shouldStop {
                var batch: RecordBatch
                do {
                    guard let next = try reader.nextBatch(sequence: sequence) else {
                        if batchesOfFile > 0 || skip > 0 { break }
                        // An empty file still gets its (empty) output file.
                        batch = RecordBatch(sequence: sequence, fileIndex: fileIndex, data: [], records: [])
                        batchesOfFile += 1
                        submit(batch)
                        break
                    }
                    batch = next
                    options.shard?.filter(&batch)
                } catch {
                    // The input failed in the middle (an I/O error): one error record for it, then the next input.
                    if batchesOfFile >= skip {
                        submit(RecordBatch(sequence: sequence, fileIndex: fileIndex, data: [], records: []),
                               failure: "\(error); the rest of the file cannot be read", line: nextLine, offset: nextOffset)
                    }
                    continue fileLoop
                }
                if let last = batch.records.last {
                    nextLine = last.line + 1
                    nextOffset = last.offset + (last.end - last.start) + 1
                }
                if batchesOfFile < skip {
                    batchesOfFile += 1
                    if batch.readError != nil { break }
                    continue
                }
                batch.sequence = sequence
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

        func submit(_ batch: RecordBatch, failure: String? = nil, line: Int = 1, offset: Int = 0) {
            sequence += 1
            inFlight.wait()
            workerSlots.wait()
            group.enter()
            // The worker may take the batch's bytes (a large record's, once decoded): the
            // closure holds the batch through a box, not a copy of its own.
            let box = BatchBox(batch)
            workQueue.async {
                var result = contexts.process(box, failure: failure.map { ($0, line, offset) }, writer: writer)
                let batch = box.batch
                result.readPosition = batch.endPosition
                if let last = batch.records.last {
                    result.nextLine = last.line + 1
                    result.nextOffset = last.offset + (last.end - last.start) + 1
                }
                workerSlots.signal()
                writer.accept(result) { done in
                    contexts.recycle(&done.output)
                    inFlight.signal()
                }
                group.leave()
            }
        }

        group.wait()
        var summary = try writer.finish(interrupted: stopSignal != nil)
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
    /// Records of the batch (for `--limit` on resume) and where the next one starts.
    var recordCount = 0
    var nextOffset = 0
    var nextLine = 1
    /// Where the reader stood after the batch (plain files), for the checkpoint.
    var readPosition: ReadPosition?
    /// With `--max-errors`: after each record, the uncompressed output and errors lengths and
    /// the counts so far, so that the writer can end the output at the record that reaches N.
    var cuts: [RecordCut]? = nil
}

/// The state of a batch's result after one record (see ``BatchResult/cuts``).
struct RecordCut {
    var outputEnd: Int
    var errorsEnd: Int
    var errors: Int
    var statistics: RunStatistics
}

/// Per-thread record processors, handed out to whichever Dispatch thread runs a batch.
/// A batch on its way to a worker, held by reference so that the worker can take its bytes
/// (``WorkerContextPool/process(_:failure:writer:)``); used by one thread at a time.
final class BatchBox: @unchecked Sendable {
    var batch: RecordBatch
    init(_ batch: RecordBatch) { self.batch = batch }
}

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

    /// Takes `buffer` (leaving an empty one in its place) for reuse. Taken this way, not copied,
    /// the pooled writer holds the only reference to its storage, so that forgetting its bytes
    /// does not copy them (``JSONWriter/removeAll()`` copies a shared storage first).
    func recycle(_ buffer: inout JSONWriter) {
        guard buffer.capacity <= Self.largestPooledBuffer else { return }
        var b = JSONWriter(capacity: 0)
        swap(&b, &buffer)
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

    /// A batch's output past this size, while a record is being printed, is handed to the writer
    /// in pieces: a large record is written as a stream, never held whole.
    static let spillThreshold = 4 << 20

    /// Decodes, annotates and renders a batch; compresses it when the output is compressed.
    /// With a `writer` that streams, a large record's output goes to it as it is printed.
    func process(_ batch: RecordBatch, failure: (reason: String, line: Int, offset: Int)? = nil,
                 writer: OrderedWriter? = nil) -> BatchResult {
        process(BatchBox(batch), failure: failure, writer: writer)
    }

    /// The same; a batch of one large JSONL record (``PipelineOptions/detachedRecordBytes``)
    /// has its bytes taken out of the box once the record is decoded.
    func process(_ box: BatchBox, failure: (reason: String, line: Int, offset: Int)? = nil,
                 writer: OrderedWriter? = nil) -> BatchResult {
        // Everything but the bytes (`box.batch.data` is read in place, never copied out).
        let batch = RecordBatch(sequence: box.batch.sequence, fileIndex: box.batch.fileIndex, data: [], records: box.batch.records)
        let (readError, sourceBytes, blankLines, dataCount) = (box.batch.readError, box.batch.sourceBytes, box.batch.blankLines, box.batch.data.count)
        let file = options.inputs[batch.fileIndex]
        var output = takeBuffer(capacity: min(dataCount * 12, Self.largestFirstReservation) + 4096)
        var errors = JSONWriter(capacity: 0)
        // With --inline-errors each record's error record goes through `scratch` into `output`.
        var scratch = JSONWriter(capacity: 0)
        let inline = options.inlineErrors
        let idField = annotator.configuration.idField
        func placeInline() {
            guard inline, scratch.count > 0 else { return }
            scratch.withUnsafeBytes { InlineErrors.append($0, idField: idField, to: &output) }
            scratch.removeAll()
        }
        var stats = RunStatistics()
        stats.inputBytes = sourceBytes
        stats.blank = blankLines
        var cuts: [RecordCut]? = options.maxErrors == nil ? nil : []
        // The batch's errors before the record being printed (for the --max-errors check).
        var errorsBefore = 0
        var spill: OutputSpill?
        if let writer, writer.streams {
            spill = OutputSpill(threshold: Self.spillThreshold) { out in
                let outcome = out.withUnsafeBytes {
                    writer.stream($0, sequence: batch.sequence, fileIndex: batch.fileIndex, errorsBefore: errorsBefore)
                }
                guard outcome != .kept else { return }
                out.removeAll()
                // The cuts so far cannot be reached: the errors before them are below --max-errors.
                if cuts != nil { cuts = [] }
            }
        }
        do {
            let worker = try take()
            defer { put(worker) }
            worker.releasesUnwrittenCandidates = true
            let processor = RecordProcessor(worker: worker, format: file.format,
                                            sourceName: file.isStdin ? "<stdin>" : file.path, textLines: options.textLines)
            /// One record's error record for `reason`, in its place.
            func writeFailure(_ reason: String, _ r: RecordRef) {
                stats.errors += 1
                if inline {
                    processor.writeError(reason: reason, id: nil, line: r.line, offset: r.offset, into: &scratch)
                    placeInline()
                } else {
                    processor.writeError(reason: reason, id: nil, line: r.line, offset: r.offset, into: &errors)
                }
            }
            func noteCut() {
                if cuts != nil {
                    cuts!.append(RecordCut(outputEnd: output.count, errorsEnd: errors.count, errors: stats.errors, statistics: stats))
                }
            }
            if let r = batch.records.first, batch.records.count == 1, r.failure == nil, file.format == .jsonl,
               r.end - r.start >= options.detachedRecordBytes {
                // One large record: the processor takes its bytes, and drops them once decoded.
                var data = box.batch.data
                box.batch.data = []
                errorsBefore = stats.errors
                if inline {
                    processor.process(taking: &data, record: r.start..<r.end, line: r.line, offset: r.offset,
                                      output: &output, errors: &scratch, stats: &stats, spill: spill)
                    placeInline()
                } else {
                    processor.process(taking: &data, record: r.start..<r.end, line: r.line, offset: r.offset,
                                      output: &output, errors: &errors, stats: &stats, spill: spill)
                }
                noteCut()
            } else {
                box.batch.data.withUnsafeBufferPointer { data in
                    for r in batch.records {
                        if let failure = r.failure {
                            // A record over --max-record-bytes: its error record, in its place.
                            writeFailure(failure, r)
                        } else {
                            let record = UnsafeBufferPointer(rebasing: data[r.start..<r.end])
                            errorsBefore = stats.errors
                            if inline {
                                processor.process(record, line: r.line, offset: r.offset, output: &output, errors: &scratch, stats: &stats, spill: spill)
                                placeInline()
                            } else {
                                processor.process(record, line: r.line, offset: r.offset, output: &output, errors: &errors, stats: &stats, spill: spill)
                            }
                        }
                        noteCut()
                    }
                }
            }
            if let e = readError {
                stats.errors += 1
                let reason = "\(e.reason); the rest of the file cannot be read\(e.detail)"
                if inline {
                    processor.writeError(reason: reason, id: nil, line: e.line, offset: e.offset, into: &scratch)
                    placeInline()
                } else {
                    processor.writeError(reason: reason, id: nil, line: e.line, offset: e.offset, into: &errors)
                }
            }
            if let failure {
                stats.errors += 1
                if inline {
                    processor.writeError(reason: failure.reason, id: nil, line: failure.line, offset: failure.offset, into: &scratch)
                    placeInline()
                } else {
                    processor.writeError(reason: failure.reason, id: nil, line: failure.line, offset: failure.offset, into: &errors)
                }
            }
        } catch {
            // A worker that cannot be made fails every record of the batch, each with an error record.
            for r in batch.records {
                stats.errors += 1
                ErrorRecord.write(source: file.isStdin ? "<stdin>" : file.path, reason: "\(error)", id: nil,
                                  line: r.line, offset: r.offset, into: &scratch)
                if inline { placeInline() } else { errors.raw(scratch.bytes); scratch.removeAll() }
            }
        }
        // With --max-errors the writer compresses, after it has cut the batch.
        if cuts == nil, let format = outputCompression(for: batch.fileIndex) {
            let compressed = output.withUnsafeBytes { BlockCompressor.compress($0, as: format) }
            output = JSONWriter(capacity: compressed.count)
            output.raw(compressed)
        }
        return BatchResult(sequence: batch.sequence, fileIndex: batch.fileIndex, output: output, errors: errors.bytes, statistics: stats,
                           recordCount: batch.records.count, cuts: cuts)
    }

    func outputCompression(for fileIndex: Int) -> CompressionFormat? {
        guard annotator.configuration.outputFormat.allowsCompression else { return nil }
        switch options.output {
        case .stdout: return nil
        case .file(let path): return CompressionFormat.fromName(path)
        case .directory:
            return CompressionFormat.fromName(options.inputs[fileIndex].relativePath)
        }
    }
}


import GleanCore
import GleanIO

/// Counts kept per batch and summed for the end summary.
public struct RunStatistics: Sendable {
    public var records = 0
    public var errors = 0
    public var warnings = 0
    public var blank = 0
    public var tokens = 0
    public var sentences = 0
    public var entitiesByLabel: [String: Int] = [:]
    /// UTF-8 bytes of document text annotated.
    public var textBytes = 0
    /// Bytes of input consumed (compressed where the input is).
    public var inputBytes: Int64 = 0
    /// Why records failed: the first distinct reasons with their counts (the summary shows them).
    public var failureReasons = FailureReasons()

    public init() {}

    public var entities: Int { entitiesByLabel.values.reduce(0, +) }

    public mutating func add(_ other: RunStatistics) {
        records += other.records
        errors += other.errors
        warnings += other.warnings
        blank += other.blank
        tokens += other.tokens
        sentences += other.sentences
        textBytes += other.textBytes
        inputBytes += other.inputBytes
        for (k, v) in other.entitiesByLabel { entitiesByLabel[k, default: 0] += v }
        failureReasons.merge(other.failureReasons)
    }
}

/// Turns input records into output records or error records; one per worker thread. It reads as
/// decode, annotate, print: a ``RecordDecoder`` for the input format (``JSONLDecoder``,
/// ``TextDecoder``), the worker's stages, and the ``Printer`` of the configuration's
/// ``AnnotatorConfiguration/outputFormat``.
///
/// ```swift
/// let processor = RecordProcessor(worker: try annotator.makeWorker(), format: .jsonl, sourceName: "a.jsonl")
/// processor.process(bytes, line: 1, offset: 0, output: &out, errors: &errors, stats: &stats)
/// ```
public final class RecordProcessor {
    let worker: AnnotatorWorker
    let configuration: AnnotatorConfiguration
    let format: InputFormat
    let sourceName: String
    public let decoder: any RecordDecoder
    public let printer: any Printer

    /// `textLines`: text records are lines (`--lines`), so they carry their `line`.
    public init(worker: AnnotatorWorker, format: InputFormat, sourceName: String, textLines: Bool = false) {
        self.worker = worker
        configuration = worker.configuration
        self.format = format
        self.sourceName = sourceName
        switch format {
        case .jsonl:
            decoder = JSONLDecoder(configuration: configuration, source: sourceName)
        case .text:
            decoder = TextDecoder(configuration: configuration, source: sourceName,
                                  file: sourceName == "<stdin>" ? nil : sourceName, lines: textLines)
        }
        printer = configuration.outputFormat.makePrinter(configuration: configuration)
    }

    /// Processes one record's bytes; prints one record into `output` or writes one error record
    /// into `errors`. With a `spill`, a large record's output is handed over in pieces as it is
    /// printed (``OutputSpill``).
    public func process(_ record: UnsafeBufferPointer<UInt8>, line: Int, offset: Int,
                        output: inout JSONWriter, errors: inout JSONWriter, stats: inout RunStatistics,
                        spill: OutputSpill? = nil) {
        failingInto(&errors, &stats, line: line, offset: offset) { stats in
            try decoder.decode(record, line: line) { decoded in
                try annotateAndPrint(&decoded, output: &output, stats: &stats, spill: spill)
            }
        }
    }

    /// The default of ``PipelineOptions/detachedRecordBytes``: a record of 32 MiB or more, alone
    /// in its batch, is processed by ``process(taking:record:line:offset:output:errors:stats:spill:)``.
    public static let detachedRecordBytes = 32 << 20

    /// The same for the record at `range` of `data`, which it takes: once the record is decoded,
    /// its fields other than the text are copied out and `data` is emptied, so that a large
    /// record's bytes as read are not held while its document is annotated and printed. The
    /// text is then written from the decoded document (the same JSON string, in Glean's
    /// escaping). A decoder that cannot detach a record processes it as ``process(_:line:offset:output:errors:stats:spill:)`` does.
    public func process(taking data: inout [UInt8], record range: Range<Int>, line: Int, offset: Int,
                        output: inout JSONWriter, errors: inout JSONWriter, stats: inout RunStatistics,
                        spill: OutputSpill? = nil) {
        failingInto(&errors, &stats, line: line, offset: offset) { stats in
            var detached: (record: DecodedRecord, bytes: [UInt8])?
            try data.withUnsafeBufferPointer { all in
                try decoder.decode(UnsafeBufferPointer(rebasing: all[range]), line: line) { decoded in
                    guard let (bytes, fields) = decoded.detachedFields() else {
                        try annotateAndPrint(&decoded, output: &output, stats: &stats, spill: spill)
                        return
                    }
                    var record = decoded
                    record.fields = fields
                    detached = (record, bytes)
                    // The decoder's hold on the text goes with it.
                    decoded.document = Document(text: [])
                }
            }
            data = []
            guard case (var record, let bytes)? = detached else { return }
            detached = nil
            try bytes.withUnsafeBufferPointer { copied in
                record.input = copied
                try annotateAndPrint(&record, output: &output, stats: &stats, spill: spill)
            }
        }
    }

    /// Runs `body`, which prints one record; counts it, or turns what it throws into one error
    /// record.
    private func failingInto(_ errors: inout JSONWriter, _ stats: inout RunStatistics, line: Int, offset: Int,
                             _ body: (inout RunStatistics) throws -> Void) {
        do {
            try body(&stats)
            stats.records += 1
        } catch let failure as RecordFailure {
            stats.errors += 1
            stats.failureReasons.note(failure.reason)
            writeError(reason: failure.reason, id: failure.id, line: line, offset: offset, into: &errors)
        } catch {
            stats.errors += 1
            stats.failureReasons.note("\(error)")
            writeError(reason: "\(error)", id: nil, line: line, offset: offset, into: &errors)
        }
    }

    /// Annotates a decoded record's document, counts it and prints it.
    private func annotateAndPrint(_ decoded: inout DecodedRecord, output: inout JSONWriter, stats: inout RunStatistics,
                                  spill: OutputSpill?) throws {
        do {
            try worker.annotate(&decoded.document)
        } catch {
            throw RecordFailure(reason: "\(error)", id: decoded.id)
        }
        if !decoded.warnings.isEmpty { decoded.document.warnings = decoded.warnings + decoded.document.warnings }
        Self.count(decoded.document, into: &stats)
        // Candidates that are not written need not be held while the record is printed.
        if !configuration.emit.contains(.spans) {
            decoded.document.spanGroups = []
        }
        printer.print(decoded.document, record: decoded, into: &output, spill: spill)
    }

    public func writeError(reason: String, id: [UInt8]?, line: Int, offset: Int, into errors: inout JSONWriter) {
        ErrorRecord.write(source: sourceName, reason: reason, id: id, line: line, offset: offset, into: &errors)
    }

    static func count(_ doc: Document, into stats: inout RunStatistics) {
        stats.textBytes += doc.text.count
        stats.tokens += doc.tokens.count
        stats.sentences += doc.sentences.count
        stats.warnings += doc.warnings.count
        // Counted by label in a short list first (a document has few labels; comparing a small
        // string is cheaper than hashing it), then added to the table once per label.
        // The entities are read in place: a copy of each would retain and release its strings.
        var counts: [(label: String, count: Int)] = []
        counts.reserveCapacity(16)
        doc.entities.withUnsafeBufferPointer { entities in
            for i in entities.indices {
                if let k = counts.firstIndex(where: { $0.label == entities[i].label }) {
                    counts[k].count += 1
                } else {
                    counts.append((entities[i].label, 1))
                }
            }
        }
        for (label, count) in counts { stats.entitiesByLabel[label, default: 0] += count }
    }

    /// Writes the JSONL annotation of `doc`, `,"tokens":[...],...}\n`, as the JSONL printer does,
    /// and counts it (for benchmarks that time the writer alone).
    public func render(_ doc: Document, into out: inout JSONWriter, stats: inout RunStatistics, leadingComma: Bool) {
        Self.count(doc, into: &stats)
        let jsonl = (printer as? JSONLPrinter) ?? JSONLPrinter(configuration: configuration)
        jsonl.printAnnotation(doc, into: &out, leadingComma: leadingComma)
    }
}

/// An error record, one line of the errors file: `{"source","line","offset","id"?,"reason"}`.
/// `id` is the record's id value as raw JSON, when the record had one.
public enum ErrorRecord {
    public static func write(source: String, reason: String, id: [UInt8]?, line: Int, offset: Int,
                             into errors: inout JSONWriter) {
        errors.raw("{\"source\":")
        errors.string(source)
        errors.raw(",\"line\":")
        errors.int(line)
        errors.raw(",\"offset\":")
        errors.int(offset)
        if let id {
            errors.raw(",\"id\":")
            errors.raw(id)
        }
        errors.raw(",\"reason\":")
        errors.string(reason)
        errors.raw("}\n")
    }
}

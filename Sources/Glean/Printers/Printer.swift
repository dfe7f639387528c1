import GleanCore
import GleanIO

/// What `glean annotate` writes: chosen by `--output-format`, or by the output's extension.
///
/// - `jsonl`: the annotated record, one JSON object per line (the default).
/// - `compact`: the same record with the tokens as columns, `"tokens":{"starts":[..],"ends":[..],"kinds":[..]}`.
/// - `spacy`: spaCy's binary `DocBin` (`.spacy`), one blob per output.
/// - `entities`: one row per entity, as CSV, TSV or JSONL rows (``EntityTableDialect``).
///
/// ```swift
/// try OutputFormat(name: "entities", outputPath: "ents.csv")  // .entities(.csv)
/// try OutputFormat(name: nil, outputPath: "train.spacy")      // .spacy
/// ```
public enum OutputFormat: Sendable, Equatable {
    case jsonl
    case compact
    case spacy
    case entities(EntityTableDialect)

    /// The format for `--output-format NAME` (nil: not given) and an output path (nil: stdout
    /// or a directory). An extension that no printer claims (`.parquet`, `.xlsx`) is an error.
    public init(name: String?, outputPath: String?) throws {
        let (stem, compression) = Self.splitCompression(outputPath ?? "")
        let ext = stem.split(separator: "/").last.flatMap { $0.contains(".") ? $0.split(separator: ".").last.map(String.init) : nil }?.lowercased()
        let byExtension: OutputFormat?
        switch ext {
        case nil, "jsonl", "ndjson", "json", "out": byExtension = nil
        case "spacy": byExtension = .spacy
        case "csv": byExtension = .entities(.csv)
        case "tsv": byExtension = .entities(.tsv)
        case let other?:
            // /dev/null and the like have no extension; anything else names a format we do not write.
            throw ConfigurationError("-o \(outputPath ?? ""): no printer writes .\(other) files (output formats: jsonl, compact, spacy, entities; extensions .jsonl, .spacy, .csv, .tsv, with .gz or .zst)")
        }
        switch name {
        case nil: self = byExtension ?? .jsonl
        case "jsonl", "compact":
            if let byExtension { throw ConfigurationError("--output-format \(name!) does not write \(Self.describe(byExtension)) (-o \(outputPath ?? ""))") }
            self = name == "jsonl" ? .jsonl : .compact
        case "spacy":
            if let byExtension, byExtension != .spacy { throw ConfigurationError("--output-format spacy does not write \(Self.describe(byExtension)) (-o \(outputPath ?? ""))") }
            self = .spacy
        case "entities":
            if let byExtension, byExtension == .spacy { throw ConfigurationError("--output-format entities does not write .spacy files") }
            self = byExtension ?? .entities(.jsonl)
        case let other?:
            throw ConfigurationError("--output-format must be jsonl, compact, spacy or entities, not '\(other)'")
        }
        if self == .spacy, compression != nil {
            throw ConfigurationError("-o \(outputPath ?? ""): a .spacy file is zlib-compressed already; drop the \(compression!) suffix")
        }
    }

    static func describe(_ format: OutputFormat) -> String {
        switch format {
        case .jsonl, .compact: "JSONL"
        case .spacy: ".spacy files"
        case .entities(let d): ".\(d.rawValue) files"
        }
    }

    static func splitCompression(_ path: String) -> (String, String?) {
        for suffix in [".gz", ".zst", ".zstd"] where path.hasSuffix(suffix) {
            return (String(path.dropLast(suffix.count)), suffix)
        }
        return (path, nil)
    }

    /// Whether the output may be `.gz`/`.zst` compressed (not a DocBin, which is zlib already).
    public var allowsCompression: Bool { self != .spacy }

    /// The file name suffix of an output in `-o DIR/` mode.
    public var directorySuffix: String {
        switch self {
        case .jsonl, .compact: ".jsonl"
        case .spacy: ".spacy"
        case .entities(.csv): ".csv"
        case .entities(.tsv): ".tsv"
        case .entities(.jsonl): ".entities.jsonl"
        }
    }

    /// A printer for one worker thread.
    public func makePrinter(configuration: AnnotatorConfiguration) -> any Printer {
        switch self {
        case .jsonl: JSONLPrinter(configuration: configuration)
        case .compact: JSONLPrinter(configuration: configuration, compact: true)
        case .spacy: SpacyPrinter(configuration: configuration)
        case .entities(let dialect): EntityTablePrinter(configuration: configuration, dialect: dialect)
        }
    }

    /// What turns printed batches into one output (a file, stdout, one file of a directory).
    public func makeAssembler() -> any OutputAssembler {
        switch self {
        case .jsonl, .compact: StreamAssembler()
        case .spacy: DocBinAssembler()
        case .entities(let dialect): StreamAssembler(header: EntityTablePrinter.header(dialect))
        }
    }
}

/// The flavours of the entity table.
public enum EntityTableDialect: String, Sendable, Equatable {
    /// RFC 4180: comma-separated, CRLF-free (`\n` line ends), fields with `,` `"` or a line
    /// break quoted, quotes doubled.
    case csv
    /// Tab-separated; a tab, line break or backslash inside a field is written `\t` `\n` `\r` `\\`.
    case tsv
    /// One JSON object per row.
    case jsonl
}

/// Writes one annotated document into an output buffer, in the printer's format. One printer
/// per worker thread; it may keep scratch space between documents. A printer writes exactly one
/// unit per document (a line, a row per entity, a DocBin entry), so the pipeline's guarantees
/// hold for every format: input order, one record or one error per input record, the same bytes
/// for any number of threads.
///
/// ```swift
/// let printer = OutputFormat.jsonl.makePrinter(configuration: config)
/// printer.print(annotatedDocument, record: decodedRecord, into: &buffer)
/// ```
public protocol Printer: AnyObject {
    /// Writes `doc` (annotated from `record`) into `out`.
    func print(_ doc: Document, record: DecodedRecord, into out: inout JSONWriter)
    /// The same; a printer that can may hand the output to `spill` in pieces while it prints a
    /// large record (the default ignores it).
    func print(_ doc: Document, record: DecodedRecord, into out: inout JSONWriter, spill: OutputSpill?)
}

extension Printer {
    public func print(_ doc: Document, record: DecodedRecord, into out: inout JSONWriter, spill: OutputSpill?) {
        print(doc, record: record, into: &out)
    }
}

/// Takes the beginning of a batch's output while a large record is still being printed, so that
/// the record is written to the output as a stream instead of being held whole in memory.
///
/// A printer calls ``check(_:)`` between values (token blocks, pieces of the text, every few
/// hundred spans); once `out` holds `threshold` bytes, `handOver` runs. It writes the bytes, in
/// their place in the output (it waits until every earlier batch is written), and empties `out`;
/// or it leaves `out` as it is, and the bytes stay with the batch (a `--max-errors` cut that
/// may still fall before them). The output is the same bytes either way.
///
/// ```swift
/// let spill = OutputSpill(threshold: 4 << 20) { out in write(out); out.removeAll() }
/// printer.print(doc, record: record, into: &out, spill: spill)
/// ```
public final class OutputSpill {
    /// Bytes held before they are handed over.
    public let threshold: Int
    let handOver: (inout JSONWriter) -> Void

    public init(threshold: Int, handOver: @escaping (inout JSONWriter) -> Void) {
        self.threshold = threshold
        self.handOver = handOver
    }

    /// Hands `out` over once it holds `threshold` bytes.
    @inline(__always)
    public func check(_ out: inout JSONWriter) {
        if out.count >= threshold { handOver(&out) }
    }
}

/// Turns the printed batches of one output, in order, into the bytes of that output: a header
/// before the first batch (a CSV header row), the batches, and a trailer at the end (a DocBin,
/// which holds every document in one blob). Runs on the writer's queue, one per output.
public protocol OutputAssembler: AnyObject {
    /// Bytes written when the output is opened (before compression).
    func header() -> [UInt8]
    /// Takes one printed batch; returns nil to write it as is, or the bytes to write instead.
    func consume(_ batch: UnsafeBufferPointer<UInt8>) -> [UInt8]?
    /// Bytes written when the output is complete (before compression).
    func finish() -> [UInt8]
    /// Whether printed batches are the output's bytes (and may be compressed by the workers).
    var streams: Bool { get }
}

/// Batches are the output: JSONL, compact JSONL, entity tables (with their header).
final class StreamAssembler: OutputAssembler {
    let headerBytes: [UInt8]
    init(header: [UInt8] = []) { headerBytes = header }
    func header() -> [UInt8] { headerBytes }
    func consume(_ batch: UnsafeBufferPointer<UInt8>) -> [UInt8]? { nil }
    func finish() -> [UInt8] { [] }
    var streams: Bool { true }
}

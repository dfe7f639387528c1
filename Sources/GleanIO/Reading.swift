import CCompression
import GleanCore
#if canImport(Glibc)
import Glibc
#endif

/// A failure while reading an input (I/O error, corrupt compressed data), with where it happened.
public struct ReadError: Error, CustomStringConvertible {
    public var path: String
    /// Offset in the decompressed stream where reading stopped.
    public var offset: Int
    public var reason: String
    /// The line the reader was on when it stopped (1-based).
    public var line = 0
    public var description: String { "\(path): \(reason) at byte \(offset)" }
}

/// Reads the bytes of one input, decompressing gzip (concatenated members) or zstd (several
/// frames) when the name or the magic bytes say so.
final class ByteSource {
    let path: String
    private let fd: Int32
    private let ownsFD: Bool
    private var decoder: OpaquePointer?
    private var raw = [UInt8](repeating: 0, count: 1 << 20)
    private var rawStart = 0
    private var rawEnd = 0
    private var rawEOF = false
    /// Bytes read from the file (compressed), for progress.
    private(set) var compressedBytesRead: Int64 = 0

    init(file: InputFile) throws {
        path = file.path
        if file.isStdin {
            fd = 0
            ownsFD = false
        } else {
            fd = open(file.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw InputError("\(file.path): \(String(cString: strerror(errno)))") }
            ownsFD = true
        }
        try fillRaw()
        let format = CompressionFormat.fromMagic(raw[rawStart..<rawEnd])
        if let format {
            decoder = glean_decoder_open(format == .gzip ? Int32(GLEAN_FORMAT_GZIP) : Int32(GLEAN_FORMAT_ZSTD))
        } else if let named = CompressionFormat.fromName(file.path), rawEnd > rawStart {
            throw InputError("\(file.path): named .\(named == .gzip ? "gz" : "zst") but not \(named.rawValue) data")
        }
    }

    deinit {
        if let decoder { glean_decoder_close(decoder) }
        if ownsFD { close(fd) }
    }

    private func fillRaw() throws {
        if rawStart == rawEnd { rawStart = 0; rawEnd = 0 }
        guard !rawEOF, rawEnd < raw.count else { return }
        let n = raw.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + rawEnd, $0.count - rawEnd) }
        if n < 0 {
            if errno == EINTR { return }
            throw InputError("\(path): read failed: \(String(cString: strerror(errno)))")
        }
        if n == 0 { rawEOF = true }
        rawEnd += n
        compressedBytesRead += Int64(n)
    }

    /// True when a read would block: nothing is buffered and the descriptor (a pipe, a
    /// terminal, a socket) has no bytes ready. Never true for a regular file.
    var wouldBlock: Bool {
        if rawStart < rawEnd || rawEOF { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) == 0
    }

    /// Appends up to `maximum` bytes of content to `buffer`; returns how many (0 at the end).
    func read(into buffer: inout [UInt8], maximum: Int, offset: Int) throws -> Int {
        while true {
            if rawStart == rawEnd { try fillRaw() }
            guard let decoder else {
                let n = min(maximum, rawEnd - rawStart)
                buffer.append(contentsOf: raw[rawStart..<(rawStart + n)])
                rawStart += n
                if n > 0 || rawEOF { return n }
                continue
            }
            let before = buffer.count
            buffer.reserveCapacity(before + maximum)
            var consumed = 0
            var produced = 0
            let rc = raw.withUnsafeBufferPointer { src in
                // Grow the buffer and decode straight into its tail.
                buffer.append(contentsOf: repeatElement(0, count: maximum))
                return buffer.withUnsafeMutableBufferPointer { dst in
                    glean_decoder_step(decoder, src.baseAddress! + rawStart, rawEnd - rawStart, &consumed,
                                       dst.baseAddress! + before, maximum, &produced)
                }
            }
            buffer.removeLast(maximum - produced)
            rawStart += consumed
            if rc < 0 {
                throw ReadError(path: path, offset: offset + produced, reason: String(cString: glean_decoder_error(decoder)))
            }
            if produced > 0 { return produced }
            if rawEOF && rawStart == rawEnd {
                if glean_decoder_at_boundary(decoder) == 0 {
                    throw ReadError(path: path, offset: offset, reason: "compressed data ends early (truncated file)")
                }
                return 0
            }
            if consumed == 0 && rawStart < rawEnd && rawEnd == raw.count {
                // The decoder wants more input than the buffer holds: shift what is left.
                raw.replaceSubrange(0..<(rawEnd - rawStart), with: raw[rawStart..<rawEnd])
                rawEnd -= rawStart
                rawStart = 0
            }
        }
    }
}

/// A record's place in a batch's bytes and in its source.
public struct RecordRef: Sendable {
    /// Range in ``RecordBatch/data``.
    public var start: Int
    public var end: Int
    /// 1-based line number in the (decompressed) source.
    public var line: Int
    /// Byte offset of the record in the (decompressed) source.
    public var offset: Int
}

/// A run of records from one input file, the unit of work handed to a worker.
public struct RecordBatch: Sendable {
    public var sequence: Int
    public var fileIndex: Int
    public var data: [UInt8]
    public var records: [RecordRef]
    /// A read error that ended this file after these records, if any.
    public var readError: ReadError?
    /// Bytes of the source consumed (compressed if the source is), for progress.
    public var sourceBytes: Int64 = 0
    /// Blank lines skipped in this batch (not records, but counted in the summary).
    public var blankLines = 0

    public init(sequence: Int, fileIndex: Int, data: [UInt8], records: [RecordRef]) {
        self.sequence = sequence
        self.fileIndex = fileIndex
        self.data = data
        self.records = records
    }
}

/// Splits an input into records and batches.
///
/// JSONL and `--lines`: records are split on LF only; a CR before the LF is dropped; a final line
/// without LF is a record; a line that is empty or only spaces and tabs is not a record (no
/// output, no error) but keeps its line number. Whole-file text: the file is one record, line 1.
///
/// ```swift
/// let reader = try RecordReader(file: input, fileIndex: 0, wholeFile: false)
/// while let batch = try reader.nextBatch(sequence: n) { ... }
/// ```
public final class RecordReader {
    public let file: InputFile
    let fileIndex: Int
    let wholeFile: Bool
    let source: ByteSource
    /// Bytes read but not yet handed out (the start of an unfinished line).
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var nextLine = 1
    private var finished = false
    private var lastReported: Int64 = 0

    public var maxBatchBytes = 1 << 20
    public var maxBatchRecords = 512

    public init(file: InputFile, fileIndex: Int, wholeFile: Bool) throws {
        self.file = file
        self.fileIndex = fileIndex
        self.wholeFile = wholeFile
        source = try ByteSource(file: file)
    }

    /// The next batch, or nil at the end of the file.
    public func nextBatch(sequence: Int) throws -> RecordBatch? {
        guard !finished else { return nil }
        var batch = RecordBatch(sequence: sequence, fileIndex: fileIndex, data: [], records: [])
        if wholeFile {
            finished = true
            var data: [UInt8] = []
            do {
                while try source.read(into: &data, maximum: 1 << 20, offset: data.count) > 0 {}
            } catch var error as ReadError {
                error.line = 1
                batch.readError = error
            }
            batch.records.append(RecordRef(start: 0, end: data.count, line: 1, offset: 0))
            batch.data = data
            batch.sourceBytes = progressDelta()
            return batch
        }
        var data = pending
        var dataOffset = pendingOffset  // source offset of data[0]
        var scan = 0
        var eof = false
        data.reserveCapacity(maxBatchBytes + 65536)
        while batch.records.count < maxBatchRecords {
            // Find the next LF from `scan`.
            if let lf = Self.findLF(data, from: scan) {
                addRecord(&batch, data, from: scan, to: lf, sourceOffset: dataOffset + scan)
                scan = lf + 1
                if scan >= maxBatchBytes { break }
                continue
            }
            if eof { break }
            // Input that trickles (a pipe filter): hand out what is complete rather than wait
            // for a full batch, so that each answer can come back before the next line is sent.
            if !batch.records.isEmpty, source.wouldBlock { break }
            do {
                let n = try source.read(into: &data, maximum: 1 << 18, offset: dataOffset + data.count)
                if n == 0 { eof = true }
            } catch var error as ReadError {
                error.line = nextLine
                batch.readError = error
                finished = true
                eof = true
                break
            }
            if eof, scan < data.count {
                addRecord(&batch, data, from: scan, to: data.count, sourceOffset: dataOffset + scan)
                scan = data.count
            }
        }
        if eof && scan >= data.count { finished = true }
        // Keep the unfinished tail for the next batch.
        pending = Array(data[scan...])
        pendingOffset = dataOffset + scan
        dataOffset = 0
        data.removeSubrange(scan...)
        batch.data = data
        batch.sourceBytes = progressDelta()
        if batch.records.isEmpty && batch.readError == nil && finished { return nil }
        return batch
    }

    static func findLF(_ data: [UInt8], from: Int) -> Int? {
        guard from < data.count else { return nil }
        return data.withUnsafeBufferPointer { b in
            guard let p = memchr(b.baseAddress! + from, 0x0A, b.count - from) else { return nil }
            return b.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
        }
    }

    private func progressDelta() -> Int64 {
        let now = source.compressedBytesRead
        defer { lastReported = now }
        return now - lastReported
    }

    private func addRecord(_ batch: inout RecordBatch, _ data: [UInt8], from: Int, to: Int, sourceOffset: Int) {
        let line = nextLine
        nextLine += 1
        var end = to
        if end > from, data[end - 1] == 0x0D { end -= 1 }
        var blank = true
        for i in from..<end where data[i] != 0x20 && data[i] != 0x09 { blank = false; break }
        if blank { batch.blankLines += 1; return }
        batch.records.append(RecordRef(start: from, end: end, line: line, offset: sourceOffset))
    }
}

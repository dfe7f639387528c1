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
    /// What else the error record says, after the reason (the lines that came from a damaged
    /// gzip member or zstd frame before the damage was found), or "".
    public var detail = ""
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

    /// Whether reading started at the `startAt` offset given to `init` rather than at 0.
    private(set) var startedAtOffset = false

    /// Opens the input. With `startAt` > 0, a plain (uncompressed) regular file is read from that
    /// byte offset on, without reading what comes before it (its first bytes are read for the
    /// magic test only); any other input starts at 0, as without it.
    init(file: InputFile, startAt: Int = 0) throws {
        path = file.path
        if file.isStdin {
            fd = 0
            ownsFD = false
        } else {
            fd = open(file.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw InputError("\(file.path): \(String(cString: strerror(errno)))") }
            ownsFD = true
        }
        if startAt > 0, ownsFD, CompressionFormat.fromName(file.path) == nil, Self.isRegularFile(fd) {
            var magic = [UInt8](repeating: 0, count: 4)
            let n = magic.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, 4, 0) }
            if n > 0 { compressedBytesRead += Int64(n) }
            if n >= 0, CompressionFormat.fromMagic(magic[0..<n]) == nil, lseek(fd, off_t(startAt), SEEK_SET) == off_t(startAt) {
                startedAtOffset = true
                try fillRaw()
                return
            }
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

    static func isRegularFile(_ fd: Int32) -> Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether the bytes come from the file as they are (no decompression): offsets in the
    /// stream are offsets in the file.
    var isPlain: Bool { decoder == nil && ownsFD }

    /// For compressed input, the decompressed offset where the gzip member or zstd frame being
    /// decoded starts, and its name; nil for plain input.
    var member: (start: Int, kind: String)? {
        guard let decoder else { return nil }
        return (Int(glean_decoder_member_start(decoder)), glean_decoder_is_gzip(decoder) != 0 ? "gzip member" : "zstd frame")
    }

    /// Up to `count` bytes of the file ending at `offset`, read without moving the read position
    /// (a plain regular file only; nil otherwise or on a failure).
    func bytes(endingAt offset: Int, count: Int) -> [UInt8]? {
        guard isPlain, Self.isRegularFile(fd), offset >= 0 else { return nil }
        let length = min(count, offset)
        var bytes = [UInt8](repeating: 0, count: length)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(offset - length)) }
        return n == length ? bytes : nil
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
    /// A decoding error found after some output of the same step: reported by the next read, so
    /// that the records decoded before it (a gzip member followed by garbage) are kept.
    private var deferredError: ReadError?
    /// Bytes moved when `read(into:)` grew a buffer (the work counter of the growth policy).
    private(set) var bytesMovedByGrowth = 0

    /// Appends up to `maximum` bytes of content to `buffer`; returns how many (0 at the end).
    /// Grows `buffer` geometrically, so that appending N bytes in steps costs O(N) copies.
    func read(into buffer: inout [UInt8], maximum: Int, offset: Int) throws -> Int {
        if let e = deferredError { deferredError = nil; throw e }
        while true {
            if rawStart == rawEnd { try fillRaw() }
            guard let decoder else {
                let n = min(maximum, rawEnd - rawStart)
                reserve(&buffer, extra: n)
                buffer.append(contentsOf: raw[rawStart..<(rawStart + n)])
                rawStart += n
                if n > 0 || rawEOF { return n }
                continue
            }
            let before = buffer.count
            reserve(&buffer, extra: maximum)
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
                let error = ReadError(path: path, offset: offset + produced, reason: String(cString: glean_decoder_error(decoder)))
                if produced > 0 { deferredError = error; return produced }
                throw error
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

    /// Makes room for `extra` more bytes, at least doubling the capacity when it must grow
    /// (`reserveCapacity` alone allocates exactly what is asked, which makes repeated appends
    /// quadratic).
    private func reserve(_ buffer: inout [UInt8], extra: Int) {
        let needed = buffer.count + extra
        guard buffer.capacity < needed else { return }
        bytesMovedByGrowth += buffer.count
        buffer.reserveCapacity(max(needed, buffer.capacity * 2))
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
    /// Why the record cannot be annotated although the file goes on (it is longer than
    /// ``RecordReader/maxRecordBytes``: its bytes were skipped, `start == end`), or nil.
    public var failure: String? = nil

    public init(start: Int, end: Int, line: Int, offset: Int, failure: String? = nil) {
        self.start = start
        self.end = end
        self.line = line
        self.offset = offset
        self.failure = failure
    }
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
    /// Where the reader stands after this batch (what `--resume` seeks to), or nil.
    public var endPosition: ReadPosition?

    public init(sequence: Int, fileIndex: Int, data: [UInt8], records: [RecordRef]) {
        self.sequence = sequence
        self.fileIndex = fileIndex
        self.data = data
        self.records = records
    }
}

/// Where a reader stands in a plain input after a batch: the byte offset and line of the next
/// record, and a check of the bytes just before it (``tailLength`` bytes, their FNV-1a hash), so
/// that a resumed run can start reading there and tell whether the file still holds those bytes.
///
/// ```swift
/// // After a batch that ended with line 512 at byte 40960:
/// ReadPosition(offset: 40960, line: 513, tailLength: 64, tailHash: "9f3a...")
/// ```
public struct ReadPosition: Codable, Equatable, Sendable {
    public var offset: Int
    public var line: Int
    public var tailLength: Int
    public var tailHash: String

    public init(offset: Int, line: Int, tailLength: Int, tailHash: String) {
        self.offset = offset
        self.line = line
        self.tailLength = tailLength
        self.tailHash = tailHash
    }

    /// Bytes of the file checked before ``offset``.
    public static let checkedBytes = 64

    static func hash(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    /// Whether the plain regular file `path` holds, before ``offset``, the bytes this position
    /// was taken after.
    public func matches(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) >= offset, tailLength <= offset else { return false }
        var bytes = [UInt8](repeating: 0, count: tailLength)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, tailLength, off_t(offset - tailLength)) }
        return n == tailLength && Self.hash(bytes) == tailHash
    }
}

/// Splits an input into records and batches.
///
/// JSONL and `--lines`: records are split on LF only; a CR before the LF is dropped; a final line
/// without LF is a record; a line that is empty or only spaces and tabs is not a record (no
/// output, no error) but keeps its line number. A UTF-8 byte order mark (EF BB BF) at the start
/// of a JSONL file is skipped, as jq and Python's json do. Whole-file text: the file is one
/// record, line 1.
///
/// Limits. A record longer than ``maxRecordBytes`` (a missing newline in a huge file, a
/// decompression bomb) is not held in memory: its bytes are skipped up to the next LF and it
/// becomes a record with a ``RecordRef/failure`` (one error record), and reading goes on with
/// the next line. Work is linear in the input: each byte is searched for LF once, and buffers
/// grow geometrically (``bytesScanned``, ``bytesMoved`` count both).
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
    private var startChecked = false

    public var maxBatchBytes = 1 << 20
    public var maxBatchRecords = 512
    /// The longest record read into memory (bytes, its LF excluded); see the type's Limits.
    public var maxRecordBytes = RecordReader.defaultMaxRecordBytes
    public static let defaultMaxRecordBytes = 1 << 30

    /// Work counters: bytes searched for a line feed, and bytes copied by buffer growth and by
    /// carrying an unfinished line into the next batch. Both stay proportional to the input.
    public private(set) var bytesScanned = 0
    public var bytesMoved: Int { carried + source.bytesMovedByGrowth }
    private var carried = 0
    /// The line holding the start of the compressed member being decoded (``ByteSource/member``),
    /// and that start, once a record reaches it.
    private var memberLine: (start: Int, line: Int)?

    /// Whether the reader started at the position given to `init` (a plain regular file, not
    /// whole-file text) rather than at the start.
    public var startedAtPosition: Bool { source.startedAtOffset }
    /// Bytes read from the file so far (compressed bytes if it is compressed).
    public var bytesReadFromFile: Int64 { source.compressedBytesRead }

    /// Opens `file`. With `startAt` (a ``ReadPosition`` of an earlier read of the same file), a
    /// plain regular file is read from that position on: the bytes before it are not read, and
    /// the batches are those the earlier read cut after it. A compressed file, a pipe or
    /// whole-file text starts at the beginning (``startedAtPosition`` says which happened); the
    /// caller checks ``ReadPosition/matches(path:)`` first.
    public init(file: InputFile, fileIndex: Int, wholeFile: Bool, startAt: ReadPosition? = nil) throws {
        self.file = file
        self.fileIndex = fileIndex
        self.wholeFile = wholeFile
        source = try ByteSource(file: file, startAt: wholeFile ? 0 : startAt?.offset ?? 0)
        if let startAt, source.startedAtOffset {
            pendingOffset = startAt.offset
            nextLine = startAt.line
            startChecked = true
        }
    }

    static let readStep = 1 << 18

    /// The next batch, or nil at the end of the file.
    public func nextBatch(sequence: Int) throws -> RecordBatch? {
        guard !finished else { return nil }
        var batch = RecordBatch(sequence: sequence, fileIndex: fileIndex, data: [], records: [])
        if wholeFile {
            finished = true
            var data: [UInt8] = []
            var failure: String?
            do {
                while try source.read(into: &data, maximum: Self.readStep, offset: data.count) > 0 {
                    if data.count > maxRecordBytes {
                        failure = Self.tooLong(maxRecordBytes, skipped: nil)
                        data = []
                        break
                    }
                }
            } catch var error as ReadError {
                error.line = 1
                batch.readError = error
            }
            batch.records.append(RecordRef(start: 0, end: data.count, line: 1, offset: 0, failure: failure))
            batch.data = data
            batch.sourceBytes = progressDelta()
            return batch
        }
        var data = pending
        var dataOffset = pendingOffset  // source offset of data[0] (and of what follows `scan`)
        var scan = 0
        var searched = 0  // data[scan..<searched] holds no LF
        var eof = false
        data.reserveCapacity(maxBatchBytes + 65536)

        /// Reads more into `data`; false at the end of the file or on a read error (then in the batch).
        func readMore() -> Bool {
            do {
                if try source.read(into: &data, maximum: Self.readStep, offset: dataOffset + data.count) == 0 { eof = true }
            } catch let error as ReadError {
                fail(error)
            } catch {
                fail(ReadError(path: file.path, offset: dataOffset + data.count, reason: "\(error)"))
            }
            return !eof
        }
        func fail(_ e: ReadError) {
            var error = e
            error.line = nextLine
            error.detail = damagedLines()
            batch.readError = error
            finished = true
            eof = true
        }

        if !startChecked {
            startChecked = true
            if file.format == .jsonl {
                while data.count < 3 && readMore() {}
                if data.count >= 3, data[0] == 0xEF, data[1] == 0xBB, data[2] == 0xBF { scan = 3; searched = 3 }
            }
        }
        while batch.records.count < maxBatchRecords {
            // Find the next LF, searching only bytes not searched before.
            if let lf = Self.findLF(data, from: searched) {
                bytesScanned += lf + 1 - searched
                addRecord(&batch, data, from: scan, to: lf, sourceOffset: dataOffset + scan)
                scan = lf + 1
                searched = scan
                if scan >= maxBatchBytes { break }
                continue
            }
            bytesScanned += data.count - searched
            searched = data.count
            if eof { break }
            if data.count - scan > maxRecordBytes + 1 {  // + 1: a CR before the LF is not counted
                skipLongRecord(&batch, &data, from: scan, dataOffset: &dataOffset, eof: &eof)
                searched = scan
                continue
            }
            // Input that trickles (a pipe filter): hand out what is complete rather than wait
            // for a full batch, so that each answer can come back before the next line is sent.
            if !batch.records.isEmpty, source.wouldBlock { break }
            if !readMore(), batch.readError == nil, scan < data.count {
                addRecord(&batch, data, from: scan, to: data.count, sourceOffset: dataOffset + scan)
                scan = data.count
                searched = scan
            }
        }
        if eof && scan >= data.count { finished = true }
        // Keep the unfinished tail for the next batch.
        pending = Array(data[scan...])
        carried += pending.count
        pendingOffset = dataOffset + scan
        data.removeSubrange(scan...)
        batch.data = data
        batch.sourceBytes = progressDelta()
        if !finished, let tail = source.bytes(endingAt: pendingOffset, count: ReadPosition.checkedBytes) {
            batch.endPosition = ReadPosition(offset: pendingOffset, line: nextLine, tailLength: tail.count, tailHash: ReadPosition.hash(tail))
        }
        if batch.records.isEmpty && batch.readError == nil && batch.blankLines == 0 && finished { return nil }
        return batch
    }

    static func tooLong(_ limit: Int, skipped: Int?) -> String {
        let what = skipped.map { "\($0) bytes" } ?? "over \(limit) bytes"
        return "record too long: \(what), over the limit of \(limit) bytes (--max-record-bytes); skipped"
    }

    /// The record starting at `data[start]` is over the limit: drops what was read of it, reads
    /// on (into a small buffer, not kept) up to its LF, and adds it as a failed record. What
    /// follows the LF stays in `data` at `start`; `dataOffset` moves so that offsets stay right.
    private func skipLongRecord(_ batch: inout RecordBatch, _ data: inout [UInt8], from start: Int,
                                dataOffset: inout Int, eof: inout Bool) {
        let recordOffset = dataOffset + start
        var skipped = data.count - start
        data.removeSubrange(start...)
        var chunk: [UInt8] = []
        chunk.reserveCapacity(Self.readStep)
        var readError: ReadError?
        while true {
            chunk.removeAll(keepingCapacity: true)
            let n: Int
            do {
                n = try source.read(into: &chunk, maximum: Self.readStep, offset: recordOffset + skipped)
            } catch let error as ReadError {
                readError = error
                break
            } catch {
                readError = ReadError(path: file.path, offset: recordOffset + skipped, reason: "\(error)")
                break
            }
            if n == 0 { eof = true; break }
            if let lf = Self.findLF(chunk, from: 0) {
                bytesScanned += lf + 1
                var end = lf
                if end > 0, chunk[end - 1] == 0x0D { end -= 1 }
                skipped += end
                data.append(contentsOf: chunk[(lf + 1)...])
                // Bytes from `start` in data now come from after the record, its CR and its LF.
                dataOffset = recordOffset + skipped + (lf - end) + 1 - start
                break
            }
            bytesScanned += chunk.count
            skipped += chunk.count
        }
        let line = nextLine
        nextLine += 1
        batch.records.append(RecordRef(start: start, end: start, line: line, offset: recordOffset,
                                       failure: Self.tooLong(maxRecordBytes, skipped: skipped)))
        if let readError {
            var error = readError
            error.line = nextLine
            error.detail = damagedLines()
            batch.readError = error
            finished = true
            eof = true
        }
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

    /// When decoding fails: which lines already handed out came from the damaged member (its
    /// checksum, checked at its end, could not vouch for them), or "" when none did.
    private func damagedLines() -> String {
        guard let member = source.member else { return "" }
        let first = memberLine?.start == member.start ? memberLine!.line : nextLine
        guard first < nextLine else { return "" }
        let lines = first == nextLine - 1 ? "line \(first)" : "lines \(first) to \(nextLine - 1)"
        return "; \(lines) came from the damaged \(member.kind) (it starts at byte \(member.start)) and may be damaged"
    }

    private func addRecord(_ batch: inout RecordBatch, _ data: [UInt8], from: Int, to: Int, sourceOffset: Int) {
        let line = nextLine
        nextLine += 1
        if let member = source.member, memberLine?.start != member.start, sourceOffset + (to - from) >= member.start {
            memberLine = (member.start, line)
        }
        var end = to
        if end > from, data[end - 1] == 0x0D { end -= 1 }
        var blank = true
        for i in from..<end where data[i] != 0x20 && data[i] != 0x09 { blank = false; break }
        if end - from > maxRecordBytes {
            batch.records.append(RecordRef(start: from, end: from, line: line, offset: sourceOffset,
                                           failure: Self.tooLong(maxRecordBytes, skipped: end - from)))
            return
        }
        if blank { batch.blankLines += 1; return }
        batch.records.append(RecordRef(start: from, end: end, line: line, offset: sourceOffset))
    }
}

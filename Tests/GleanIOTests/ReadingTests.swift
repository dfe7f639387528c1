import Foundation
import Testing
@testable import GleanIO

/// A scratch directory, removed at the end of the test.
final class ScratchDirectory {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "glean-io-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ bytes: [UInt8]) -> InputFile {
        let full = path + "/" + name
        FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return InputFile(path: full, relativePath: name, format: InputExpander.format(of: name) ?? .jsonl, size: Int64(bytes.count))
    }
}

/// Every batch of a file, read to the end.
struct ReadResult {
    var records: [(text: [UInt8], ref: RecordRef)] = []
    var blankLines = 0
    var readError: ReadError?
    var bytesScanned = 0
    var bytesMoved = 0
}

func readAll(_ file: InputFile, wholeFile: Bool = false, maxRecordBytes: Int? = nil) throws -> ReadResult {
    let reader = try RecordReader(file: file, fileIndex: 0, wholeFile: wholeFile)
    if let maxRecordBytes { reader.maxRecordBytes = maxRecordBytes }
    var result = ReadResult()
    var sequence = 0
    while let batch = try reader.nextBatch(sequence: sequence) {
        sequence += 1
        for r in batch.records { result.records.append((Array(batch.data[r.start..<r.end]), r)) }
        result.blankLines += batch.blankLines
        if let e = batch.readError { result.readError = e }
    }
    result.bytesScanned = reader.bytesScanned
    result.bytesMoved = reader.bytesMoved
    return result
}

/// Under a sanitizer build (`GLEAN_SANITIZER=1`, scripts/test.sh) the large inputs are smaller.
let sanitized = ProcessInfo.processInfo.environment["GLEAN_SANITIZER"] == "1"

@Suite("Reading records")
struct ReadingTests {
    /// One line of `size` bytes (no newline in it), then a short line.
    static func longLine(_ size: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: size)
        bytes += Array("\nshort\n".utf8)
        return bytes
    }

    // A line of N bytes and one of 2N bytes: each byte is searched for a line feed once, and the
    // bytes copied by buffer growth stay within a constant times the input (geometric growth).
    @Test("one long line is read in linear work", arguments: [nil, CompressionFormat.gzip, .zstd])
    func longLineIsLinear(_ compression: CompressionFormat?) throws {
        let dir = ScratchDirectory()
        var counts: [(scanned: Int, moved: Int)] = []
        for size in sanitized ? [1 << 20, 2 << 20] : [6 << 20, 12 << 20] {
            let plain = Self.longLine(size)
            let bytes = compression.map { BlockCompressor.compress(plain, as: $0) } ?? plain
            let name = "long\(size).jsonl" + (compression == .gzip ? ".gz" : compression == .zstd ? ".zst" : "")
            let result = try readAll(dir.write(name, bytes))
            #expect(result.records.count == 2)
            #expect(result.records.first?.text.count == size)
            #expect(result.readError == nil)
            #expect(result.bytesScanned == plain.count, "each byte searched once")
            #expect(result.bytesMoved <= 3 * plain.count, "copies by growth: \(result.bytesMoved) for \(plain.count) bytes")
            counts.append((result.bytesScanned, result.bytesMoved))
        }
        // Twice the input: about twice the scanning, not four times (the copies are bounded by
        // 3x the input above, at every size).
        #expect(Double(counts[1].scanned) / Double(counts[0].scanned) < 2.2)
    }

    @Test("a UTF-8 byte order mark at the start of a JSONL file is skipped")
    func byteOrderMark() throws {
        let dir = ScratchDirectory()
        let body = Array("{\"text\":\"a\"}\n{\"text\":\"b\"}\n".utf8)
        for compression in [nil, CompressionFormat.gzip] {
            let plain = [0xEF, 0xBB, 0xBF] + body
            let bytes = compression.map { BlockCompressor.compress(plain, as: $0) } ?? plain
            let result = try readAll(dir.write(compression == nil ? "bom.jsonl" : "bom.jsonl.gz", bytes))
            #expect(result.records.map { String(decoding: $0.text, as: UTF8.self) } == ["{\"text\":\"a\"}", "{\"text\":\"b\"}"])
            #expect(result.records.first?.ref.offset == 3)
            #expect(result.records.first?.ref.line == 1)
        }
        // Counter-examples: a BOM that is not at the start stays; a text file keeps its bytes.
        let inner = try readAll(dir.write("inner.jsonl", Array("{}\n\u{FEFF}{}\n".utf8)))
        #expect(inner.records.last?.text == [0xEF, 0xBB, 0xBF] + Array("{}".utf8))
        var text = InputFile(path: dir.path + "/t.txt", relativePath: "t.txt", format: .text, size: nil)
        FileManager.default.createFile(atPath: text.path, contents: Data([0xEF, 0xBB, 0xBF] + Array("x\n".utf8)))
        text.format = .text
        let lines = try readAll(text)
        #expect(lines.records.first?.text == [0xEF, 0xBB, 0xBF, UInt8(ascii: "x")])
        // A file of only a partial BOM is one record of those bytes.
        let partial = try readAll(dir.write("partial.jsonl", [0xEF, 0xBB]))
        #expect(partial.records.first?.text == [0xEF, 0xBB])
    }

    @Test("a gzip stream with trailing garbage yields its intact records, then a read error")
    func gzipTrailingGarbage() throws {
        let dir = ScratchDirectory()
        let lines = (0..<47).map { "{\"id\":\($0),\"text\":\"record \($0)\"}\n" }.joined()
        let good = BlockCompressor.compress(Array(lines.utf8), as: .gzip)
        for garbage in [Array("this is not gzip".utf8), [0x1F, 0x8B, 0x00, 0x01, 0x02]] {
            let result = try readAll(dir.write("garbage.jsonl.gz", good + garbage))
            #expect(result.records.count == 47)
            #expect(result.records.last.map { String(decoding: $0.text, as: UTF8.self) } == "{\"id\":46,\"text\":\"record 46\"}")
            #expect(result.readError != nil)
            #expect(result.readError?.line == 48)
            #expect(result.readError?.detail == "", "no line came from the garbage")
        }
        // zstd frames followed by garbage, the same.
        let zstd = BlockCompressor.compress(Array(lines.utf8), as: .zstd)
        let z = try readAll(dir.write("garbage.jsonl.zst", zstd + Array(repeating: 0x55, count: 40)))
        #expect(z.records.count == 47)
        #expect(z.readError != nil)
        // Counter-example: an intact stream has no error.
        let clean = try readAll(dir.write("clean.jsonl.gz", good))
        #expect(clean.records.count == 47 && clean.readError == nil)
    }

    @Test("blank lines of the last batch are counted")
    func blankLinesInLastBatch() throws {
        let dir = ScratchDirectory()
        #expect(try readAll(dir.write("b1.jsonl", Array("{}\n\n  \n\t\n".utf8))).blankLines == 3)
        #expect(try readAll(dir.write("b2.jsonl", Array("\n\n".utf8))).blankLines == 2)
        #expect(try readAll(dir.write("b3.jsonl", Array("{}\n\n{}".utf8))).blankLines == 1)
        #expect(try readAll(dir.write("b4.jsonl", Array("{}\n{}\n".utf8))).blankLines == 0)
    }

    @Test("a record over --max-record-bytes becomes one failed record; reading goes on")
    func maxRecordBytes() throws {
        let dir = ScratchDirectory()
        let limit = 1000
        let long = String(repeating: "x", count: 5000)
        let input = "{\"a\":1}\n\(long)\r\n{\"b\":2}\n\(String(repeating: "y", count: limit))\n\(long)"
        for compression in [nil, CompressionFormat.gzip] {
            let plain = Array(input.utf8)
            let bytes = compression.map { BlockCompressor.compress(plain, as: $0) } ?? plain
            let result = try readAll(dir.write(compression == nil ? "m.jsonl" : "m.jsonl.gz", bytes), maxRecordBytes: limit)
            #expect(result.records.count == 5)
            #expect(result.records.map { $0.ref.failure != nil } == [false, true, false, false, true])
            #expect(result.records.map(\.ref.line) == [1, 2, 3, 4, 5])
            #expect(result.records.map(\.ref.offset) == [0, 8, 5010, 5018, 5018 + limit + 1])
            #expect(result.records[2].text == Array("{\"b\":2}".utf8))
            #expect(result.records[3].text.count == limit, "a record of exactly the limit is kept")
            #expect(result.records[1].ref.failure?.contains("5000 bytes") == true)
            #expect(result.readError == nil)
        }
        // Whole-file text: the document is the file; over the limit it fails, and reading stops.
        let text = InputFile(path: dir.path + "/w.txt", relativePath: "w.txt", format: .text, size: nil)
        FileManager.default.createFile(atPath: text.path, contents: Data(long.utf8))
        let whole = try readAll(text, wholeFile: true, maxRecordBytes: limit)
        #expect(whole.records.count == 1 && whole.records[0].ref.failure != nil && whole.records[0].text.isEmpty)
        let fits = try readAll(text, wholeFile: true, maxRecordBytes: 5000)
        #expect(fits.records.count == 1 && fits.records[0].ref.failure == nil && fits.records[0].text.count == 5000)
    }

    // A decompression bomb: one line far over the limit costs a bounded buffer, not its size.
    @Test("a gzip bomb of one line is skipped with bounded memory")
    func gzipBomb() throws {
        let dir = ScratchDirectory()
        let size = sanitized ? 16 << 20 : 64 << 20
        let plain = [UInt8](repeating: 0x41, count: size) + Array("\n{}\n".utf8)
        let bomb = BlockCompressor.compress(plain, as: .gzip, level: 9)
        let reader = try RecordReader(file: dir.write("bomb.jsonl.gz", bomb), fileIndex: 0, wholeFile: false)
        reader.maxRecordBytes = 1 << 20
        var records: [RecordRef] = []
        var largest = 0
        while let batch = try reader.nextBatch(sequence: 0) {
            records += batch.records
            largest = max(largest, batch.data.capacity)
        }
        #expect(records.count == 2)
        #expect(records[0].failure != nil && records[1].failure == nil)
        #expect(records[1].offset == size + 1)
        #expect(largest < 8 << 20, "batch buffers stay near the limit: \(largest)")
    }
}

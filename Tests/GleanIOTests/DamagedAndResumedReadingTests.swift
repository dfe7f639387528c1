import Foundation
import Testing
@testable import GleanIO

/// What `gzip -dc` writes for a file before it stops at the damage (the reference for what can
/// be recovered), with its exit status.
func gzipRecovers(_ path: String) throws -> (bytes: [UInt8], status: Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
    process.arguments = ["-dc", path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ([UInt8](data), process.terminationStatus)
}

/// JSONL lines `first..<first+count`, each with some text.
func numberedLines(_ range: Range<Int>) -> [String] {
    range.map { "{\"id\":\($0),\"text\":\"record \($0): the quick brown fox \(($0 * 7919) % 10007) jumps\"}" }
}

@Suite("Reading damaged compressed input")
struct DamagedInputTests {
    /// The intact records: those lines of `gzip -dc`'s output, from the first, that equal the
    /// lines written, each ended by its LF.
    static func intactPrefix(_ recovered: [UInt8], _ lines: [String]) -> Int {
        var count = 0
        var start = 0
        for line in lines {
            let bytes = Array(line.utf8) + [0x0A]
            guard start + bytes.count <= recovered.count, Array(recovered[start..<(start + bytes.count)]) == bytes else { break }
            start += bytes.count
            count += 1
        }
        return count
    }

    /// Every intact record before the damage comes out, in order, then one read error that names
    /// a line after them; never fewer records than `gzip -dc` recovers intact.
    static func check(_ file: InputFile, lines: [String], batchRecords: Int, damagedFrom: Int? = nil) throws -> Int {
        let reader = try RecordReader(file: file, fileIndex: 0, wholeFile: false)
        reader.maxBatchRecords = batchRecords
        var records: [String] = []
        var errors: [ReadError] = []
        var lastLine = 0
        var sequence = 0
        while let batch = try reader.nextBatch(sequence: sequence) {
            sequence += 1
            for r in batch.records {
                records.append(String(decoding: batch.data[r.start..<r.end], as: UTF8.self))
                lastLine = r.line
            }
            if let e = batch.readError { errors.append(e) }
        }
        let reference = try gzipRecovers(file.path)
        #expect(reference.status != 0, "the file is damaged for gzip too")
        let intact = intactPrefix(reference.bytes, lines)
        #expect(intact > 0)
        #expect(records.count >= intact, "records: \(records.count), intact in gzip -dc: \(intact)")
        #expect(Array(records.prefix(intact)) == Array(lines.prefix(intact)))
        #expect(errors.count == 1, "one read error for the file")
        if let e = errors.first {
            #expect(e.line == lastLine + 1)
            #expect(e.offset >= lines.prefix(intact).reduce(0) { $0 + $1.utf8.count + 1 })
            #expect(e.reason.contains("corrupt gzip data") || e.reason.contains("ends early"))
            #expect(e.path == file.path)
            // The lines handed out from the damaged member are named: its checksum cannot vouch for them.
            if let damagedFrom {
                #expect(e.detail.contains("lines \(damagedFrom) to \(lastLine) came from the damaged gzip member"), "\(e.detail)")
            }
        }
        return intact
    }

    @Test("a damaged last gzip member: the members before it come out whole", arguments: [7, 512])
    func damagedLastMember(batchRecords: Int) throws {
        let dir = ScratchDirectory()
        let lines = numberedLines(0..<500)
        var bytes: [UInt8] = []
        for k in 0..<5 {
            let member = lines[(k * 100)..<((k + 1) * 100)].map { $0 + "\n" }.joined()
            var compressed = BlockCompressor.compress(Array(member.utf8), as: .gzip)
            if k == 4 {
                for j in (compressed.count / 2)..<(compressed.count / 2 + 8) { compressed[j] ^= 0xFF }
            }
            bytes += compressed
        }
        let intact = try Self.check(dir.write("members.jsonl.gz", bytes), lines: lines, batchRecords: batchRecords, damagedFrom: 401)
        #expect(intact >= 400)
    }

    @Test("damage in the middle of one gzip member, after many records", arguments: [64, 512])
    func damageInTheMiddle(batchRecords: Int) throws {
        let dir = ScratchDirectory()
        let lines = numberedLines(0..<20000)
        var bytes = BlockCompressor.compress(Array(lines.map { $0 + "\n" }.joined().utf8), as: .gzip)
        for j in (bytes.count / 2)..<(bytes.count / 2 + 16) { bytes[j] = 0 }
        let intact = try Self.check(dir.write("middle.jsonl.gz", bytes), lines: lines, batchRecords: batchRecords, damagedFrom: 1)
        #expect(intact > 1000)
    }

    @Test("a gzip file cut short in its last member")
    func truncatedMember() throws {
        let dir = ScratchDirectory()
        let lines = numberedLines(0..<3000)
        let bytes = BlockCompressor.compress(Array(lines.map { $0 + "\n" }.joined().utf8), as: .gzip)
        _ = try Self.check(dir.write("cut.jsonl.gz", Array(bytes.prefix(bytes.count * 2 / 3))), lines: lines, batchRecords: 512)
    }
}

@Suite("Reading from a resume position")
struct ResumePositionTests {
    /// Batches of a whole read of `file`, with the position after each.
    static func batches(_ file: InputFile, startAt: ReadPosition? = nil, batchRecords: Int = 100) throws
        -> (records: [[String]], positions: [ReadPosition?], reader: RecordReader) {
        let reader = try RecordReader(file: file, fileIndex: 0, wholeFile: false, startAt: startAt)
        reader.maxBatchRecords = batchRecords
        var records: [[String]] = []
        var positions: [ReadPosition?] = []
        var sequence = 0
        while let batch = try reader.nextBatch(sequence: sequence) {
            sequence += 1
            records.append(batch.records.map { r in
                "\(r.line)@\(r.offset):" + (r.failure == nil ? String(decoding: batch.data[r.start..<r.end], as: UTF8.self) : "failed")
            })
            positions.append(batch.endPosition)
        }
        return (records, positions, reader)
    }

    /// A plain file with CRLF lines, blank lines, a BOM and a line over the record limit, so that
    /// offsets and line numbers do not follow from the records alone.
    static func awkwardFile() -> [UInt8] {
        var text = "\u{FEFF}"
        for (i, line) in numberedLines(0..<3000).enumerated() {
            text += line + (i % 7 == 0 ? "\r\n" : "\n")
            if i % 11 == 0 { text += "\n  \n" }
            if i == 1500 { text += String(repeating: "z", count: 5000) + "\n" }
        }
        return Array(text.utf8)
    }

    @Test("a plain file read from a batch's end position gives the same later batches, without reading the prefix")
    func seekGivesTheSameBatches() throws {
        let dir = ScratchDirectory()
        let bytes = Self.awkwardFile()
        let file = dir.write("plain.jsonl", bytes)
        let whole = try Self.batches(file)
        #expect(whole.records.count > 20)
        for k in [1, 7, whole.records.count / 2, whole.records.count - 2] {
            let position = try #require(whole.positions[k - 1])
            #expect(position.matches(path: file.path))
            let rest = try Self.batches(file, startAt: position)
            #expect(rest.reader.startedAtPosition)
            #expect(rest.records == Array(whole.records[k...]), "batches after \(k)")
            // Counted: what is read is the rest of the file and the 4 bytes of the magic test.
            #expect(rest.reader.bytesReadFromFile == Int64(bytes.count - position.offset + 4),
                    "read \(rest.reader.bytesReadFromFile) of \(bytes.count) bytes, resuming at \(position.offset)")
        }
    }

    @Test("a position is refused when the bytes before it changed, and ignored by compressed input")
    func positionChecks() throws {
        let dir = ScratchDirectory()
        var bytes = Self.awkwardFile()
        let file = dir.write("plain.jsonl", bytes)
        let whole = try Self.batches(file)
        let position = try #require(whole.positions[3])
        // The byte just before the position, and one far before it (outside the checked bytes).
        bytes[position.offset - 2] ^= 0x01
        #expect(!position.matches(path: dir.write("changed.jsonl", bytes).path))
        bytes[position.offset - 2] ^= 0x01
        bytes[10] ^= 0x01
        #expect(position.matches(path: dir.write("far.jsonl", bytes).path))
        // A gzip file has no positions and reads from the start whatever it is given.
        let gz = dir.write("c.jsonl.gz", BlockCompressor.compress(Self.awkwardFile(), as: .gzip))
        let compressed = try Self.batches(gz)
        #expect(compressed.positions.allSatisfy { $0 == nil })
        let again = try Self.batches(gz, startAt: position)
        #expect(!again.reader.startedAtPosition)
        #expect(again.records == whole.records)
    }
}

import Foundation
import GleanCore
import GleanIO
#if canImport(Glibc)
import Glibc
#endif

/// How far a run got: what it had written and how far it had read, at a batch boundary.
///
/// Batches are cut the same way on every read of the same input, so "the first `batchesOfFile`
/// batches of input `fileIndex`" names the same records on a second read. A resumed run starts
/// reading a plain file at `readPosition` (a seek: the bytes before it are not read again, and a
/// check of the bytes just before it must still match); a compressed input or a pipe has no
/// index to seek with, so it is read (and decompressed) again up to there, without annotating. The partial outputs are cut
/// to `outputBytes` and `errorsBytes`; compressed outputs are a gzip member or zstd frame per
/// batch, so a batch boundary is a valid place to cut them.
///
/// ```json
/// {"format":1,"fileIndex":0,"batchesOfFile":12,"outputBytes":1048576,"errorsBytes":0, ...}
/// ```
public struct CheckpointState: Codable, Equatable, Sendable {
    public var format = 1
    /// What the output depends on (inputs, models, options), compared on `--resume`.
    public var fingerprint: [String: String] = [:]
    /// The input of the last batch written; -1 before any.
    public var fileIndex = -1
    /// Batches of that input written (an empty input counts one).
    public var batchesOfFile = 0
    /// Where the next record of that input starts (decompressed byte offset, 1-based line).
    public var nextOffset = 0
    public var nextLine = 1
    /// Where the reader stood in input `fileIndex` after its last batch written, when it is a
    /// plain file: a resumed run starts reading there instead of reading the file again.
    public var readPosition: ReadPosition?
    /// Records taken from the inputs so far (for `--limit`).
    public var recordsRead = 0
    /// Bytes of the current output's partial file, and of the errors file.
    public var outputBytes: Int64 = 0
    public var errorsBytes: Int64 = 0
    public var statistics = StoredStatistics()

    public init() {}
}

/// ``RunStatistics`` as stored in a checkpoint, so that a resumed run's summary counts the
/// whole run.
public struct StoredStatistics: Codable, Equatable, Sendable {
    public var records = 0, errors = 0, warnings = 0, blank = 0, tokens = 0, sentences = 0, textBytes = 0
    public var inputBytes: Int64 = 0
    public var entitiesByLabel: [String: Int] = [:]

    public init() {}

    init(_ s: RunStatistics) {
        records = s.records; errors = s.errors; warnings = s.warnings; blank = s.blank
        tokens = s.tokens; sentences = s.sentences; textBytes = s.textBytes; inputBytes = s.inputBytes
        entitiesByLabel = s.entitiesByLabel
    }

    var runStatistics: RunStatistics {
        var s = RunStatistics()
        s.records = records; s.errors = errors; s.warnings = warnings; s.blank = blank
        s.tokens = tokens; s.sentences = sentences; s.textBytes = textBytes; s.inputBytes = inputBytes
        s.entitiesByLabel = entitiesByLabel
        return s
    }
}

/// A resume that cannot continue the run it finds: a usage error (exit status 2).
public struct ResumeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The checkpoint file, `OUTPUT.glean-checkpoint`: two fixed slots written in turn, each a
/// header (`GLEANCKPT <generation> <length> <FNV-1a hash>`) and the state as JSON. A write goes
/// to the older slot and is fsynced, so a kill or a crash at any moment leaves the newer slot
/// intact, without a temporary file beside it. Both slots are allocated when the file is
/// created, so later writes need no new disk space (a checkpoint can be written on a full disk).
public final class CheckpointFile {
    public static let slotSize = 32 * 1024
    public let path: String
    private var fd: Int32
    private var generation: Int

    /// `out.jsonl` -> `out.jsonl.glean-checkpoint` (beside the file a symlink names).
    public static func path(for output: OutputTarget) throws -> String? {
        switch output {
        case .stdout: return nil
        case .file(let p):
            let resolved = try ResolvedOutput.resolve(p)
            return resolved.kind == .special ? nil : resolved.path + ".glean-checkpoint"
        case .directory(let d):
            var dir = d
            while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
            return dir + ".glean-checkpoint"
        }
    }

    /// Creates (or truncates) the checkpoint file, both slots allocated.
    public init(creating path: String) throws {
        self.path = path
        generation = 0
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError("\(path): cannot create the checkpoint: \(String(cString: strerror(errno)))") }
        do {
            let zeros = [UInt8](repeating: 0, count: 2 * Self.slotSize)
            try zeros.withUnsafeBytes { try writeFully($0, at: 0) }
            if fsync(fd) != 0 { throw OutputError("\(path): cannot flush the checkpoint: \(String(cString: strerror(errno)))") }
        } catch {
            remove()
            throw error
        }
    }

    /// Opens an existing checkpoint to continue writing it; nil when there is none.
    public init?(continuing path: String) throws {
        self.path = path
        guard let (state, generation) = try Self.read(path) else { return nil }
        _ = state
        self.generation = generation
        fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw OutputError("\(path): cannot open the checkpoint: \(String(cString: strerror(errno)))") }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The newest valid state in the file at `path`, nil when there is no file.
    public static func load(_ path: String) throws -> CheckpointState? {
        try read(path)?.0
    }

    static func read(_ path: String) throws -> (CheckpointState, Int)? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw ResumeError("\(path): cannot read the checkpoint") }
            return nil
        }
        let bytes = [UInt8](data)
        var best: (CheckpointState, Int)?
        for slot in 0..<2 {
            let start = slot * slotSize
            guard bytes.count >= start + slotSize else { continue }
            let slice = bytes[start..<(start + slotSize)]
            guard let newline = slice.firstIndex(of: 0x0A) else { continue }
            let header = String(decoding: slice[start..<newline], as: UTF8.self).split(separator: " ")
            guard header.count == 4, header[0] == "GLEANCKPT", let gen = Int(header[1]), let length = Int(header[2]),
                  length >= 0, newline + 1 + length <= start + slotSize else { continue }
            let body = Array(bytes[(newline + 1)..<(newline + 1 + length)])
            guard String(fnv1a(body), radix: 16) == header[3],
                  let state = try? JSONDecoder().decode(CheckpointState.self, from: Data(body)) else { continue }
            if best == nil || gen > best!.1 { best = (state, gen) }
        }
        guard let best else { throw ResumeError("\(path): the checkpoint is damaged; run again without --resume to start afresh") }
        return best
    }

    /// Writes `state` into the older slot and fsyncs it.
    public func write(_ state: CheckpointState) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var body = [UInt8](try encoder.encode(state))
        var header = [UInt8]("GLEANCKPT \(generation + 1) \(body.count) \(String(Self.fnv1a(body), radix: 16))\n".utf8)
        guard header.count + body.count <= Self.slotSize else {
            throw OutputError("\(path): the checkpoint does not fit its slot (\(body.count) bytes)")
        }
        header.append(contentsOf: body)
        body = header
        generation += 1
        try body.withUnsafeBytes { try writeFully($0, at: (generation % 2) * Self.slotSize) }
        if fdatasync(fd) != 0 { throw OutputError("\(path): cannot flush the checkpoint: \(String(cString: strerror(errno)))") }
    }

    /// Closes and deletes the checkpoint (the run completed).
    public func remove() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(path)
    }

    /// Closes the checkpoint, keeping it for `--resume`.
    public func keep() {
        if fd >= 0 { close(fd); fd = -1 }
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError("\(path): cannot write the checkpoint: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}

/// What the output of a run depends on, item by item, so that `--resume` can refuse a run that
/// would write something else and say what changed. `--threads` and `--quiet` are not in it.
public enum RunFingerprint {
    /// The items and how a user names them in a message.
    static let names: [String: String] = [
        "glean": "the glean version", "inputs": "the inputs (their list, sizes or modification times)",
        "models": "the models (--patterns, --gazetteer, their contents, --case, --fold-accents, the defaults)",
        "text_field": "--text-field", "id_field": "--id-field", "lang": "--lang", "offsets": "--offsets",
        "emit": "--emit", "resolution": "the resolution policy", "labels": "--labels", "limit": "--limit",
        "max_errors": "--max-errors", "lines": "--lines", "formats": "--format", "output": "-o", "errors": "--errors",
        "shard": "--shard", "inline_errors": "--inline-errors", "batch_size": "--batch-size", "propagation": "--no-default-names", "output_format": "--output-format", "max_record_bytes": "--max-record-bytes",
    ]

    public static func items(configuration c: AnnotatorConfiguration, options o: PipelineOptions) -> [String: String] {
        var inputs: [UInt8] = []
        var formats = ""
        for f in o.inputs {
            var st = stat()
            let known = !f.isStdin && stat(f.path, &st) == 0
            let line = known ? "\(f.path)\t\(st.st_size)\t\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)\n" : "\(f.path)\n"
            inputs.append(contentsOf: line.utf8)
            formats += f.format.rawValue + ","
        }
        let models = c.stages.map { "\($0.name)=\($0.checksum)" }.joined(separator: ";")
        var emit: [String] = []
        for (flag, name) in [(EmitSet.tokens, "tokens"), (.sents, "sents"), (.ents, "ents"), (.spans, "spans")] where c.emit.contains(flag) {
            emit.append(name)
        }
        return [
            "glean": GleanVersion.glean,
            "inputs": "\(o.inputs.count) files, \(String(CheckpointFile.fnv1a(inputs), radix: 16))",
            "models": String(CheckpointFile.fnv1a(Array(models.utf8)), radix: 16),
            "text_field": c.textField, "id_field": c.idField, "lang": c.defaultLanguage, "offsets": c.offsets.rawValue,
            "emit": emit.joined(separator: ","), "resolution": c.resolution.rawValue,
            "labels": c.labels.map { $0.sorted().joined(separator: ",") } ?? "(all)",
            "limit": o.limit.map(String.init) ?? "(none)", "max_errors": o.maxErrors.map(String.init) ?? "(none)",
            "lines": String(o.textLines), "formats": String(CheckpointFile.fnv1a(Array(formats.utf8)), radix: 16),
            "output": "\(o.output)", "errors": o.errorsPath ?? "(default)",
            "shard": o.shard.map { "\($0.index)/\($0.count) by \($0.unit.rawValue)" } ?? "(none)",
            "inline_errors": String(o.inlineErrors), "batch_size": String(o.batchRecords),
            "propagation": String(c.propagation), "output_format": "\(c.outputFormat)", "max_record_bytes": String(o.maxRecordBytes),
        ]
    }

    /// Throws a ``ResumeError`` naming the first item that differs.
    static func check(stored: [String: String], current: [String: String], checkpoint: String) throws {
        for key in current.keys.sorted() where stored[key] != current[key] {
            let name = names[key] ?? key
            throw ResumeError("cannot resume from \(checkpoint): \(name) changed since the interrupted run (was \(stored[key] ?? "unset"), now \(current[key]!)); run with the same inputs, models and options, or without --resume to start afresh")
        }
    }
}

/// Checks, before a resumed run writes anything, that each plain input it will seek in still
/// holds the bytes its checkpoint was taken after (the fingerprint already compares sizes and
/// modification times; this catches a file rewritten in place with its time restored).
enum ResumeCheck {
    static func check(options: PipelineOptions, fingerprint: [String: String]) throws {
        guard options.resume, let path = try CheckpointFile.path(for: options.output),
              let stored = try CheckpointFile.load(path) else { return }
        try RunFingerprint.check(stored: stored.fingerprint, current: fingerprint, checkpoint: path)
        guard let position = stored.readPosition, options.inputs.indices.contains(stored.fileIndex) else { return }
        let input = options.inputs[stored.fileIndex]
        guard !input.isStdin, CompressionFormat.fromName(input.path) == nil else { return }
        if !position.matches(path: input.path) {
            throw ResumeError("cannot resume from \(path): \(input.path) changed since the interrupted run (its bytes before offset \(position.offset) differ); run without --resume to start afresh")
        }
    }
}

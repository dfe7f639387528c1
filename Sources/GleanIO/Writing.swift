import CCompression
import Foundation
import GleanCore

/// Compresses one block into a complete gzip member or zstd frame. Concatenated members/frames
/// are a valid stream, so workers compress their own batches and the writer only appends.
public enum BlockCompressor {
    public static func compress(_ bytes: [UInt8], as format: CompressionFormat, level: Int? = nil) -> [UInt8] {
        bytes.withUnsafeBufferPointer { compress($0, as: format, level: level) }
    }

    public static func compress(_ src: UnsafeBufferPointer<UInt8>, as format: CompressionFormat, level: Int? = nil) -> [UInt8] {
        guard src.count > 0 else { return [] }
        let bound = format == .gzip ? glean_gzip_bound(src.count) : glean_zstd_bound(src.count)
        var out = [UInt8](repeating: 0, count: bound)
        let n = out.withUnsafeMutableBufferPointer { dst in
            format == .gzip
                ? glean_gzip_compress(src.baseAddress!, src.count, dst.baseAddress!, dst.count, Int32(level ?? 6))
                : glean_zstd_compress(src.baseAddress!, src.count, dst.baseAddress!, dst.count, Int32(level ?? 3))
        }
        precondition(n > 0, "compression into a buffer of the library's bound cannot fail")
        out.removeLast(out.count - n)
        return out
    }

    /// One zlib stream (RFC 1950), as Python's `zlib.compress` writes: spaCy's `.spacy` files.
    public static func zlib(_ src: UnsafeBufferPointer<UInt8>, level: Int = 6) -> [UInt8] {
        let bound = glean_zlib_bound(src.count)
        var out = [UInt8](repeating: 0, count: bound)
        let n = out.withUnsafeMutableBufferPointer { dst in
            glean_zlib_compress(src.baseAddress ?? UnsafePointer(dst.baseAddress!), src.count, dst.baseAddress!, dst.count, Int32(level))
        }
        precondition(n > 0, "compression into a buffer of the library's bound cannot fail")
        out.removeLast(out.count - n)
        return out
    }

    public static var zlibVersion: String { String(cString: glean_zlib_version()) }
    public static var zstdVersion: String {
        let v = glean_zstd_version()
        return "\(v / 10000).\(v / 100 % 100).\(v % 100)"
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// A failure to write an output (disk full, a vanished directory, a read-only file system):
/// exit status 2, with the path and the system's reason, never a raw Foundation message.
public struct OutputError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
    init(path: String, _ what: String, errno code: Int32) {
        description = "\(path): \(what): \(String(cString: strerror(code)))"
    }
}

/// Where an output path really leads: symlinks followed to the file they name (which may not
/// exist yet), and what is there.
///
/// `out.jsonl -> data/real.jsonl` resolves to `data/real.jsonl`, replaced atomically there;
/// a FIFO, a character or block device, or a socket is `special` and written directly.
public struct ResolvedOutput: Equatable, Sendable {
    public enum Kind: Sendable { case missing, regular, special, directory }
    /// The path after following symlinks of the last component.
    public var path: String
    public var kind: Kind
    /// Permission bits of an existing regular file, kept by the replacement.
    public var mode: mode_t?
    /// Device and inode when the path exists, to compare outputs with each other and with inputs.
    public var identity: FileIdentity?

    public static func resolve(_ given: String) throws -> ResolvedOutput {
        // What the path leads to, symlinks followed: a pipe behind /dev/stdout is special
        // (its link, /proc/self/fd/1 -> "pipe:[…]", names no file).
        var followed = stat()
        if stat(given, &followed) == 0, (followed.st_mode & S_IFMT) != S_IFREG, (followed.st_mode & S_IFMT) != S_IFDIR {
            return ResolvedOutput(path: given, kind: .special, mode: nil,
                                  identity: FileIdentity(device: UInt64(followed.st_dev), inode: UInt64(followed.st_ino)))
        }
        var path = given
        for _ in 0..<40 {
            var st = stat()
            guard lstat(path, &st) == 0 else {
                if errno == ENOENT { return ResolvedOutput(path: path, kind: .missing, mode: nil, identity: nil) }
                throw OutputError(path: given, "cannot inspect the output", errno: errno)
            }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(path, &buffer, buffer.count - 1)
                guard n >= 0 else { throw OutputError(path: given, "cannot read the symlink", errno: errno) }
                let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if target.hasPrefix("/") {
                    path = target
                } else {
                    let dir = (path as NSString).deletingLastPathComponent
                    path = dir.isEmpty ? target : dir + "/" + target
                }
                continue
            }
            let identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            switch st.st_mode & S_IFMT {
            case S_IFREG: return ResolvedOutput(path: path, kind: .regular, mode: st.st_mode & 0o7777, identity: identity)
            case S_IFDIR: return ResolvedOutput(path: path, kind: .directory, mode: nil, identity: identity)
            default: return ResolvedOutput(path: path, kind: .special, mode: nil, identity: identity)
            }
        }
        throw OutputError("\(given): too many levels of symbolic links")
    }

    /// `dir/.name.glean-partial`: where a file output is written until it is complete.
    public var partialPath: String { Self.sibling(of: path, prefix: ".", suffix: ".glean-partial") }

    static func sibling(of path: String, prefix: String, suffix: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        return (dir.isEmpty ? "" : dir + "/") + prefix + name + suffix
    }
}

/// A file's device and inode: two paths name the same file when these are equal.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64

    /// The identity of an existing path (symlinks followed), or nil.
    public static func of(_ path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }
}

/// Where output bytes go: stdout; a FIFO or device, written directly; or a regular file,
/// written to a partial file beside its target (`dir/.name.glean-partial`) and renamed into
/// place by ``commit()``, so that an existing file is replaced atomically, keeping its mode.
///
/// Glean only ever creates, truncates or removes the partial file; the target is touched once,
/// by the rename. A symlink is followed and the file it names is replaced.
///
/// ```swift
/// let sink = try OutputSink(path: "out.jsonl")
/// try sink.write(bytes)
/// try sink.commit()          // out.jsonl now holds exactly the bytes written
/// ```
public final class OutputSink {
    /// The path as given (for messages).
    public let path: String?
    /// The file that is replaced (symlinks followed), nil for stdout.
    public let target: String?
    /// The partial file, nil when the output is written directly (stdout, FIFO, device).
    public let partialPath: String?
    private var fd: Int32
    private let ownsFD: Bool
    public private(set) var bytesWritten: Int64 = 0

    /// Whether the output can be resumed (a regular file written through a partial file).
    public var isResumable: Bool { partialPath != nil }

    /// Stdout.
    public init() {
        path = nil
        target = nil
        partialPath = nil
        fd = 1
        ownsFD = false
    }

    /// A file output. `resumeAt`: continue the partial file left by an interrupted run, cut to
    /// that many bytes (a batch boundary); nil starts afresh. Parent directories are created.
    public init(path: String, resumeAt: Int64? = nil) throws {
        self.path = path
        let resolved = try ResolvedOutput.resolve(path)
        target = resolved.path
        ownsFD = true
        switch resolved.kind {
        case .directory:
            throw OutputError("\(path): is a directory (write DIR/ for one output per input)")
        case .special:
            partialPath = nil
            fd = open(resolved.path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw OutputError(path: path, "cannot open for writing", errno: errno) }
            return
        case .missing, .regular:
            break
        }
        let partial = resolved.partialPath
        partialPath = partial
        let dir = (resolved.path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw OutputError("\(dir): cannot create the output directory")
            }
        }
        if let length = resumeAt {
            fd = open(partial, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw OutputError(path: partial, "cannot resume", errno: errno) }
            var st = stat()
            fstat(fd, &st)
            guard Int64(st.st_size) >= length else {
                Glibc.close(fd)
                throw OutputError("\(partial): holds \(st.st_size) bytes, fewer than the \(length) the checkpoint records; run again without --resume")
            }
            guard ftruncate(fd, off_t(length)) == 0, lseek(fd, 0, SEEK_END) >= 0 else {
                let e = errno
                Glibc.close(fd)
                throw OutputError(path: partial, "cannot resume", errno: e)
            }
            bytesWritten = length
        } else {
            fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            guard fd >= 0 else { throw OutputError(path: partial, "cannot create the output file", errno: errno) }
        }
        if let mode = resolved.mode { fchmod(fd, mode) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try write($0) }
    }

    public func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard bytes.count > 0, let base = bytes.baseAddress else { return }
        guard fd >= 0 else { throw OutputError("\(path ?? "stdout"): written after it was closed") }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, base + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError(path: path ?? "stdout", "cannot write", errno: errno)
            }
            done += n
        }
        bytesWritten += Int64(bytes.count)
    }

    /// Makes what was written durable (fsync), for a checkpoint to point at.
    public func sync() throws {
        guard partialPath != nil, fd >= 0 else { return }
        if fsync(fd) != 0 { throw OutputError(path: path ?? "", "cannot flush to disk", errno: errno) }
    }

    /// Syncs and closes the file, keeping the partial file (to commit later, or to resume).
    public func close() throws {
        guard fd >= 0 else { return }
        defer {
            if ownsFD { Glibc.close(fd) }
            fd = -1
        }
        try sync()
    }

    /// Flushes and, for a file, renames the partial file into place.
    public func commit() throws {
        try close()
        guard let partialPath, let target else { return }
        if rename(partialPath, target) != 0 {
            throw OutputError(path: target, "cannot rename the finished output into place", errno: errno)
        }
    }

    /// Closes and removes the partial file of an output that did not finish; a direct output
    /// (FIFO, device) is only closed.
    public func discard() {
        if fd >= 0 {
            if ownsFD { Glibc.close(fd) }
            fd = -1
        }
        if let partialPath { unlink(partialPath) }
    }

    deinit {
        if fd >= 0, ownsFD { Glibc.close(fd) }
    }
}

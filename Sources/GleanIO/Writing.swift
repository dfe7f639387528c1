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

/// Where output bytes go: a file written to a temporary name beside it and renamed into place by
/// `commit()` (so an existing file is replaced atomically), or stdout.
public final class OutputSink {
    public let path: String?
    private let handle: FileHandle
    private let temporaryPath: String?
    public private(set) var bytesWritten: Int64 = 0

    /// Stdout.
    public init() {
        path = nil
        temporaryPath = nil
        handle = FileHandle.standardOutput
    }

    /// A file, created with its parent directories. `/dev/null` is written directly.
    public init(path: String) throws {
        self.path = path
        if path == "/dev/null" {
            temporaryPath = nil
            guard let h = FileHandle(forWritingAtPath: path) else { throw InputError("\(path): cannot open for writing") }
            handle = h
            return
        }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let name = (path as NSString).lastPathComponent
        let tmp = (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: nil) else {
            throw InputError("\(path): cannot create the output file")
        }
        temporaryPath = tmp
        guard let h = FileHandle(forWritingAtPath: tmp) else { throw InputError("\(tmp): cannot open for writing") }
        handle = h
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try write($0) }
    }

    public func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard bytes.count > 0 else { return }
        try handle.write(contentsOf: UnsafeRawBufferPointer(bytes))
        bytesWritten += Int64(bytes.count)
    }

    /// Flushes and, for a file, renames the temporary file into place.
    public func commit() throws {
        guard let temporaryPath, let path else { return }
        try handle.synchronize()
        try handle.close()
        if rename(temporaryPath, path) != 0 {
            throw InputError("\(path): cannot rename the finished output into place: \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the temporary file of an output that did not finish.
    public func discard() {
        guard let temporaryPath else { return }
        try? handle.close()
        unlink(temporaryPath)
    }
}

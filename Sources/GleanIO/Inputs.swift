import Foundation
import GleanCore

/// How an input file holds documents.
///
/// `jsonl`: one JSON object per line (`.jsonl`, `.ndjson`, `.json`, and stdin by default);
/// `text`: the whole file is one document (`.txt`), or one per line with `--lines`.
public enum InputFormat: String, Sendable {
    case jsonl, text
}

/// The compression of an input or output stream, from its name and, for inputs, its magic bytes.
public enum CompressionFormat: String, Sendable {
    case gzip, zstd

    /// `.gz` -> gzip, `.zst` -> zstd, else nil.
    public static func fromName(_ name: String) -> CompressionFormat? {
        if name.hasSuffix(".gz") { return .gzip }
        if name.hasSuffix(".zst") || name.hasSuffix(".zstd") { return .zstd }
        return nil
    }

    /// gzip starts with 1F 8B, zstd frames with 28 B5 2F FD.
    public static func fromMagic(_ bytes: ArraySlice<UInt8>) -> CompressionFormat? {
        let b = Array(bytes.prefix(4))
        if b.count >= 2, b[0] == 0x1F, b[1] == 0x8B { return .gzip }
        if b.count >= 4, b[0] == 0x28, b[1] == 0xB5, b[2] == 0x2F, b[3] == 0xFD { return .zstd }
        return nil
    }
}

/// One input to read: a file or stdin, with its format.
///
/// `relativePath` is the path below the directory it was found in (or the file name), used to
/// mirror the input tree under an output directory.
public struct InputFile: Sendable, Equatable {
    public var path: String
    public var relativePath: String
    public var format: InputFormat
    /// Size on disk, when known (not for stdin); used for the progress bar's ETA.
    public var size: Int64?

    public var isStdin: Bool { path == "-" }

    public static let stdin = InputFile(path: "-", relativePath: "stdin.jsonl", format: .jsonl, size: nil)
}

/// An input that cannot be used: a usage error (exit status 2) before anything is written.
public struct InputError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Expands command-line inputs into files: directories recursively, in sorted order, keeping
/// files whose name (less `.gz`/`.zst`) ends in `.jsonl`, `.ndjson`, `.json` or `.txt`.
///
/// `["corpus/"]` with `corpus/b.jsonl`, `corpus/a/x.txt.gz` gives `a/x.txt.gz` then `b.jsonl`.
public enum InputExpander {
    public static func format(of name: String, defaultFormat: InputFormat? = nil) -> InputFormat? {
        var base = name
        for suffix in [".gz", ".zst", ".zstd"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        if base.hasSuffix(".jsonl") || base.hasSuffix(".ndjson") || base.hasSuffix(".json") { return .jsonl }
        if base.hasSuffix(".txt") { return .text }
        return defaultFormat
    }

    public static func expand(_ arguments: [String], defaultFormat: InputFormat? = nil) throws -> [InputFile] {
        let fm = FileManager.default
        var files: [InputFile] = []
        for argument in arguments.isEmpty ? ["-"] : arguments {
            if argument == "-" { files.append(.stdin); continue }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw InputError("\(argument): no such file or directory")
            }
            if isDirectory.boolValue {
                guard let walker = fm.enumerator(atPath: argument) else { throw InputError("\(argument): cannot list the directory") }
                var found: [String] = []
                while let relative = walker.nextObject() as? String {
                    let full = (argument as NSString).appendingPathComponent(relative)
                    var sub: ObjCBool = false
                    if fm.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue, format(of: relative) != nil {
                        found.append(relative)
                    }
                }
                for relative in found.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    let full = (argument as NSString).appendingPathComponent(relative)
                    files.append(InputFile(path: full, relativePath: relative, format: format(of: relative)!, size: fileSize(full)))
                }
            } else {
                guard let fmt = format(of: argument, defaultFormat: defaultFormat) else {
                    throw InputError("\(argument): unknown input format (expected .jsonl, .ndjson, .json or .txt, optionally .gz or .zst)")
                }
                files.append(InputFile(path: argument, relativePath: (argument as NSString).lastPathComponent, format: fmt, size: fileSize(argument)))
            }
        }
        return files
    }

    static func fileSize(_ path: String) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
    }
}

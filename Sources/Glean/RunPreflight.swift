import Foundation
import GleanCore
import GleanIO
#if canImport(Glibc)
import Glibc
#endif

/// The checks made before anything is read or written, each a usage error (exit status 2):
/// every input can be opened; no two outputs (`-o`, `--errors`, `--summary-json`, the files
/// of `-o DIR/`) name the same file; no output is an input.
///
/// ```swift
/// try RunPreflight.check(options, otherOutputs: ["summary.json"])
/// ```
public enum RunPreflight {
    public static func check(_ options: PipelineOptions, otherOutputs: [(flag: String, path: String)] = []) throws {
        // A shard by file reads only its own inputs: the others are another task's to open.
        let owned = options.inputs.indices.filter { options.shard?.owns(fileIndex: $0) ?? true }
        try checkInputs(owned.map { options.inputs[$0] })
        try checkOutputs(options, otherOutputs: otherOutputs)
    }

    /// Opens every input file once (a FIFO without blocking), so that an unreadable input stops
    /// the run before any output exists.
    static func checkInputs(_ inputs: [InputFile]) throws {
        for file in inputs where !file.isStdin {
            let fd = open(file.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { throw InputError("\(file.path): cannot open: \(String(cString: strerror(errno)))") }
            var st = stat()
            let isDirectory = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            close(fd)
            if isDirectory { throw InputError("\(file.path): is a directory") }
        }
    }

    /// Each output file by the flag that names it; the files of a directory output, one per input.
    static func outputs(_ options: PipelineOptions) -> [(flag: String, path: String)] {
        var list: [(String, String)] = []
        switch options.output {
        case .stdout: break
        case .file(let p): list.append(("-o", p))
        case .directory(let d):
            for f in options.inputs {
                list.append(("-o \(d)", (d as NSString).appendingPathComponent(OrderedWriter.outputName(for: f.relativePath))))
            }
        }
        if let e = OrderedWriter.errorsPath(for: options) { list.append((options.errorsPath == nil ? "the errors file" : "--errors", e)) }
        return list
    }

    static func checkOutputs(_ options: PipelineOptions, otherOutputs: [(flag: String, path: String)]) throws {
        var inputIdentities: [FileIdentity: String] = [:]
        for f in options.inputs where !f.isStdin {
            if let id = FileIdentity.of(f.path) { inputIdentities[id] = f.path }
        }
        if case .directory(let d) = options.output {
            var byName: [String: String] = [:]
            for f in options.inputs {
                let name = OrderedWriter.outputName(for: f.relativePath)
                if let other = byName[name] {
                    throw InputError("inputs \(other) and \(f.path) would both be written to \((d as NSString).appendingPathComponent(name)); give them different names or annotate them apart")
                }
                byName[name] = f.path
            }
        }
        var seen: [String: String] = [:]
        for (flag, path) in outputs(options) + otherOutputs {
            let resolved = try ResolvedOutput.resolve(path)
            // Devices and FIFOs (/dev/null, /dev/stderr) may be named twice.
            if resolved.kind == .special { continue }
            if let id = resolved.identity, let input = inputIdentities[id] {
                throw InputError("\(path) (\(flag)) is the input \(input); write the output elsewhere")
            }
            let key = resolved.identity.map { "\($0.device):\($0.inode)" } ?? absolute(resolved.path)
            if let other = seen[key] {
                throw InputError("\(other) and \(flag) name the same file, \(path)")
            }
            seen[key] = flag
        }
    }

    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (full as NSString).standardizingPath
    }
}

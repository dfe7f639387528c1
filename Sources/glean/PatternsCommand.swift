import ArgumentParser
import Foundation
import GleanCore
import GleanPatterns

/// `glean patterns check FILE` and `glean patterns test FILE TEXT`: tools for authors of pattern
/// files. Parsing only; the work is in GleanPatterns.
struct PatternsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patterns",
        abstract: "Check pattern files and try them on a text.",
        subcommands: [Check.self, Test.self]
    )

    /// `glean patterns check FILE...`: validates the files together (names unique across them,
    /// lists shared), runs every pattern's `examples` and `not`, then lists each pattern (and its
    /// labelled branches, indented). Every fault is reported, each naming file and line; exit
    /// status 2 if there is any.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate pattern files and list their patterns.",
            discussion: "With --default, checks the default pack from Models/patterns.")

        @Argument(help: "Pattern files (YAML or JSON).")
        var files: [String] = []

        @Flag(name: .customLong("default"), help: "Check the default pack.")
        var defaultPack = false

        @Flag(help: "Show how the compiled plan starts each pattern (scan, bytes or words).")
        var plan = false

        @Option(help: "A JSONL corpus (a \"text\" field per line): show, per pattern, the candidate positions tried, spans and CPU time over it.")
        var profile: String?

        func run() throws {
            var paths = files
            if defaultPack || files.isEmpty {
                do { paths = try PatternSet.defaultPackFiles() + files } catch {
                    printErr("error: \(error)")
                    throw ExitCode(2)
                }
            }
            let (checked, errors) = PatternSet.check(files: paths)
            for e in errors { printErr("error: \(e)") }
            guard errors.isEmpty, let set = checked else {
                printErr("\(errors.count) error\(errors.count == 1 ? "" : "s")")
                throw ExitCode(2)
            }
            for (i, d) in set.definitions.enumerated() {
                var line = "\(d.name)\t\(d.label)"
                if plan { line += "\tplan=\(set.planDescription(pattern: i))" }
                if !d.flags.isEmpty { line += "\tflags=\(d.flags.names.joined(separator: ","))" }
                if d.group != .whole { line += "\tgroup=\(d.group)" }
                if d.priority != 0 { line += "\tpriority=\(d.priority)" }
                if !d.lang.isEmpty { line += "\tlang=\(d.lang.joined(separator: ","))" }
                if let v = d.value { line += "\tvalue=\(v.rawValue)" }
                print(line)
                for b in d.branches {
                    var bl = "  \(d.name)/\(b.group)\t\(b.label)\tpriority=\(b.priority ?? d.priority)"
                    if let v = b.value { bl += "\tvalue=\(v.rawValue)" }
                    print(bl)
                }
            }
            if let profile {
                var texts: [[UInt8]] = []
                let data = (try? String(contentsOfFile: profile, encoding: .utf8)) ?? ""
                for line in data.split(separator: "\n") {
                    if let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let t = obj["text"] as? String {
                        texts.append(Array(t.utf8))
                    }
                }
                let bytes = texts.reduce(0) { $0 + $1.count }
                let rows = set.planProfile(texts: texts).sorted { $0.seconds > $1.seconds }
                print("pattern\tplan\tcandidates\tspans\tseconds (\(texts.count) texts, \(bytes) bytes)")
                for r in rows { print("\(r.name)\t\(r.plan)\t\(r.candidates)\t\(r.spans)\t\(String(format: "%.4f", r.seconds))") }
            }
            let examples = set.definitions.reduce(0) { $0 + $1.examples.count + $1.counterExamples.count }
            printErr("\(set.count) patterns OK, \(examples) examples and counter-examples pass")
        }
    }

    /// `glean patterns test FILE TEXT`: every match of every pattern in TEXT, with code-point
    /// offsets (end-exclusive, as Python slices them), named groups and value.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Show what the patterns of a file match in a text (code-point offsets).",
            discussion: "FILE may be '-' for the default pack.")

        @Argument(help: "A pattern file, or '-' for the default pack.")
        var file: String

        @Argument(help: "The text to try.")
        var text: String

        @Option(help: "The document's language.")
        var lang = "en"

        func run() throws {
            let set = try loadSet(files: file == "-" ? [] : [file], defaultPack: file == "-")
            let (spans, warnings) = set.matches(in: text, lang: lang)
            let bytes = Array(text.utf8)
            let cp = bytes.withUnsafeBufferPointer { OffsetMapper(text: $0, unit: .codepoint) }
            for s in spans.sorted(by: { ($0.matchStart, $0.matchEnd) < ($1.matchStart, $1.matchEnd) }) {
                let matched = String(decoding: bytes[s.matchStart..<s.matchEnd], as: UTF8.self)
                var line = "\(cp(s.matchStart))\t\(cp(s.matchEnd))\t\(s.label)\t\(s.name)\t\(matched)"
                if !s.groups.isEmpty { line += "\t" + s.groups.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }
                if let v = s.value { line += "\tvalue=\(v)" }
                print(line)
            }
            for w in warnings { printErr("warning: \(w.name ?? ""): \(w.reason)") }
            if spans.isEmpty { printErr("no matches") }
        }
    }
}

private func loadSet(files: [String], defaultPack: Bool) throws -> PatternSet {
    do {
        if defaultPack || files.isEmpty {
            return try PatternSet(files: try PatternSet.defaultPackFiles() + files, cacheDirectory: CacheDirectory.path())
        }
        return try PatternSet(files: files, cacheDirectory: CacheDirectory.path())
    } catch let e as PatternFileError {
        printErr("error: \(e)")
        throw ExitCode(2)
    } catch let e as PatternSet.DefaultPackError {
        printErr("error: \(e)")
        throw ExitCode(2)
    }
}

private func printErr(_ s: String) {
    var err = StandardErrorStream()
    print(s, to: &err)
}

private struct StandardErrorStream: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleStderr.write(string)
    }
}

private enum FileHandleStderr {
    static func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}

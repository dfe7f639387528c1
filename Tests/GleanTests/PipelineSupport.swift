import Foundation
import Glean
import GleanTestSupport
import Testing

/// A scratch directory under the system's temporary directory, removed when released.
final class Scratch {
    let root: String

    init(_ name: String) {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("glean-tests-\(name)-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8]) -> String {
        let p = path(relative)
        try! FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    @discardableResult
    func write(_ relative: String, _ text: String) -> String { write(relative, Array(text.utf8)) }

    /// The file's bytes, nil if there is none. (Not FileManager.contents(atPath:), which leaks
    /// its buffer on an empty file and so trips LeakSanitizer in sanitizer runs.)
    func read(_ relative: String) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path(relative)) else { return nil }
        defer { try? handle.close() }
        return [UInt8]((try? handle.readToEnd()) ?? Data())
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// Every regular file below `relative`, as sorted relative paths (hidden files included).
    func files(under relative: String = "") -> [String] {
        let base = relative.isEmpty ? root : path(relative)
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var out: [String] = []
        while let r = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: (base as NSString).appendingPathComponent(r), isDirectory: &isDirectory),
               !isDirectory.boolValue {
                out.append(r)
            }
        }
        return out.sorted()
    }
}

/// Runs a system command (gzip, zstd) and returns its stdout; fails the test on a non-zero exit.
func tool(_ arguments: [String]) throws -> [UInt8] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    try #require(p.terminationStatus == 0, "\(arguments.joined(separator: " ")) exited with \(p.terminationStatus)")
    return [UInt8](data)
}

/// One JSON line seen through Glean's own scanner (members in order, raw values) and through
/// Foundation (structure).
struct Line {
    let bytes: [UInt8]
    let members: [JSONMember]
    let object: [String: Any]

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        members = try bytes.withUnsafeBufferPointer { try JSONScanner.objectMembers($0) }
        // Foundation refuses a lone surrogate escape (valid JSON that Glean passes through in
        // fields it does not touch): its structure is read with those escapes made U+FFFD.
        object = try #require(try JSONSerialization.jsonObject(with: Data(Self.withoutLoneSurrogates(bytes))) as? [String: Any],
                              "not a JSON object: \(String(decoding: bytes, as: UTF8.self))")
    }

    static func withoutLoneSurrogates(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        var i = 0
        func unit(_ at: Int) -> UInt32? {
            guard at + 6 <= b.count, b[at] == UInt8(ascii: "\\"), b[at + 1] == UInt8(ascii: "u") else { return nil }
            return UInt32(String(decoding: b[(at + 2)..<(at + 6)], as: UTF8.self), radix: 16)
        }
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), let u = unit(i) {
                if (0xD800..<0xDC00).contains(u), let low = unit(i + 6), (0xDC00..<0xE000).contains(low) { i += 12; continue }
                if (0xD800..<0xE000).contains(u) { b.replaceSubrange((i + 2)..<(i + 6), with: Array("FFFD".utf8)) }
                i += 6
            } else {
                i += b[i] == UInt8(ascii: "\\") ? 2 : 1
            }
        }
        return b
    }

    var keys: [String] { members.map { String(decoding: $0.key, as: UTF8.self) } }

    /// The raw JSON text of a top-level member's value.
    func raw(_ key: String) -> String? {
        members.last { $0.key == Array(key.utf8) }.map { String(decoding: bytes[$0.valueStart..<$0.valueEnd], as: UTF8.self) }
    }

    /// A string member decoded by JSONScanner (Foundation drops a raw U+FEFF inside strings).
    func string(_ key: String) -> String? {
        guard let m = members.last(where: { $0.key == Array(key.utf8) }), m.type == .string else { return nil }
        let decoded = bytes.withUnsafeBufferPointer { JSONScanner.decodeString($0, m.valueStart + 1, m.valueEnd - 1) }
        return String(decoding: decoded.bytes, as: UTF8.self)
    }

    subscript(_ key: String) -> Any? { object[key] }

    var tokens: [(start: Int, end: Int, kind: String)] {
        ((object["tokens"] as? [[String: Any]]) ?? []).map { ($0["start"] as! Int, $0["end"] as! Int, $0["kind"] as! String) }
    }

    var sentences: [(start: Int, end: Int)] {
        ((object["sents"] as? [[String: Any]]) ?? []).map { ($0["start"] as! Int, $0["end"] as! Int) }
    }

    var warnings: [[String: String]] { (object["warnings"] as? [[String: String]]) ?? [] }
}

/// Splits JSONL bytes into lines; every line must end with LF.
func jsonLines(_ bytes: [UInt8]) throws -> [Line] {
    guard !bytes.isEmpty else { return [] }
    try #require(bytes.last == 0x0A, "output does not end with a line feed")
    return try bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).map { try Line(Array($0)) }
}

/// What a run wrote.
struct Outcome {
    var summary: RunSummary
    /// The output file's bytes (decompressed when the name says .gz or .zst), and as lines.
    var output: [UInt8]
    var records: [Line]
    var errors: [UInt8]
    var errorRecords: [Line]
}

enum PipelineRun {
    /// Runs the pipeline over `inputs` into `scratch/output` with the errors in `scratch/errors`.
    static func run(_ inputs: [String], in scratch: Scratch, output: String = "out.jsonl",
                    errors: String? = "errors.jsonl", threads: Int = 2,
                    configure: (inout AnnotatorConfiguration, inout PipelineOptions) -> Void = { _, _ in }) throws -> Outcome {
        var config = AnnotatorConfiguration()
        var options = PipelineOptions()
        options.inputs = try InputExpander.expand(inputs)
        options.output = .file(scratch.path(output))
        options.errorsPath = errors.map { scratch.path($0) }
        options.threads = threads
        configure(&config, &options)
        let summary = try Pipeline(annotator: try Annotator(configuration: config), options: options).run()
        var out = scratch.read(output) ?? []
        if output.hasSuffix(".gz") { out = try tool(["gzip", "-dc", scratch.path(output)]) }
        if output.hasSuffix(".zst") { out = try tool(["zstd", "-dcq", scratch.path(output)]) }
        // A run without errors writes no errors file (and leaves an earlier run's as it was).
        let errorBytes = summary.statistics.errors > 0 ? scratch.read(errors ?? defaultErrorsName(output)) ?? [] : []
        let outcome = Outcome(summary: summary, output: out, records: try jsonLines(out),
                              errors: errorBytes, errorRecords: try jsonLines(errorBytes))
        try checkRecords(outcome.records, unit: config.offsets)
        #expect(outcome.records.count == summary.statistics.records)
        #expect(outcome.errorRecords.count == summary.statistics.errors)
        return outcome
    }

    /// `out.jsonl.gz` -> `out.errors.jsonl`: the errors file beside a file output.
    static func defaultErrorsName(_ output: String) -> String {
        var base = output
        for suffix in [".gz", ".zst"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        for suffix in [".jsonl", ".ndjson", ".json"] where base.hasSuffix(suffix) { base.removeLast(suffix.count); break }
        return base + ".errors.jsonl"
    }

    /// Structural checks that hold for every output record: token ids count up, tokens are non-empty, sorted, disjoint and inside the text; sentences run from a
    /// token's start to a token's end, in order.
    static func checkRecords(_ records: [Line], textField: String = "text", unit: OffsetUnit = .codepoint) throws {
        for r in records {
            guard let text = r.string(textField) else { continue }
            let length = unit == .codepoint ? text.unicodeScalars.count : unit == .utf16 ? text.utf16.count : text.utf8.count
            let tokens = r.tokens
            let ids = ((r["tokens"] as? [[String: Any]]) ?? []).map { $0["id"] as? Int }
            #expect(ids == Array(0..<tokens.count).map { Optional($0) })
            var previousEnd = 0
            for t in tokens {
                #expect(t.start < t.end && t.start >= previousEnd && t.end <= length, "token \(t) in \(text.debugDescription)")
                previousEnd = t.end
            }
            let starts = Set(tokens.map(\.start)), ends = Set(tokens.map(\.end))
            let haveTokens = r["tokens"] != nil
            previousEnd = 0
            for s in r.sentences {
                #expect(s.start < s.end && s.start >= previousEnd && s.end <= length, "sentence \(s) in \(text.debugDescription)")
                if haveTokens { #expect(starts.contains(s.start) && ends.contains(s.end), "sentence \(s) in \(text.debugDescription)") }
                previousEnd = s.end
            }
        }
    }
}

/// The repository root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Varied JSONL records: English, German, Russian, Chinese, Japanese and emoji text with names,
/// numbers and dates; escapes, nested objects, numbers in odd notations, per-record languages,
/// and extra whitespace between members.
func generatedRecords(_ count: Int, rng: inout TestRandom, firstID: Int = 0) -> [String] {
    let words = [
        "Sydney", "Sydney's", "don't", "won’t", "Dr.", "Helena", "Marsh", "said", "on", "Thursday", "the", "rail",
        "line", "cost", "US$1.2", "billion", "4:00pm", "2", "March", "2023", "--", "(EZB)", "Straßenbahn", "fährt",
        "Санкт-Петербург", "открылась", "выставка", "«Русский»", "北京", "发布数据", "東京で会議", "カタカナ", "😀",
        "👩‍👩‍👧", "👍🏽", "naïve", "e\u{301}", "café", "http://example.org/a?b=c", "a@b.example", "12.5%", "3,000",
        "New", "York", "City", "Hall", "U.S.", "Mr.", "Smith", "\"quoted\"", "back\\slash", "tab\there", "zero\u{200B}width",
        "nb\u{A0}sp", "\u{2028}", "Z̤͔ͧ̑", "שלום", "مرحبا", ".", ",", "!", "?", "\n", "\n\n", "  ", "\r\n",
    ]
    let numbers = ["0", "-0", "1.50e3", "12345678901234567890", "-1E-7", "0.10", "42", "3.0"]
    let langs = ["en", "de", "ru", "zh", "ja", "fr"]
    var lines: [String] = []
    for k in 0..<count {
        var text = ""
        for _ in 0..<Int.random(in: 0...40, using: &rng) {
            if !text.isEmpty { text += Bool.random(using: &rng) || text.hasSuffix("\n") ? " " : "" }
            text += words.randomElement(using: &rng)!
        }
        var w = JSONWriter()
        w.string(text)
        let encodedText = String(decoding: w.bytes, as: UTF8.self)
        let sp = Int.random(in: 0..<4, using: &rng) == 0 ? " " : ""
        var fields = ["\"id\":\(sp)\(firstID + k)"]
        if Int.random(in: 0..<3, using: &rng) == 0 { fields.append("\"lang\":\"\(langs.randomElement(using: &rng)!)\"") }
        fields.append("\"text\":\(sp)\(encodedText)")
        fields.append("\"meta\":{\"n\":\(numbers.randomElement(using: &rng)!),\"tags\":[\"a\",\(sp)\"b\\u00e9\"],\"ok\":true,\"none\":null}")
        if Bool.random(using: &rng) { fields.append("\"score\":\(numbers.randomElement(using: &rng)!)") }
        lines.append("{" + fields.joined(separator: ",\(sp)") + "}")
    }
    return lines
}

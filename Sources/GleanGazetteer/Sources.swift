import Foundation

/// One name of a gazetteer source: the alias, its label and its knowledge-base id.
///
/// `tokens` is set for spaCy token-list patterns, whose tokens are given rather than found by
/// the tokenizer. `{"label": "GPE", "pattern": [{"LOWER": "new"}, {"LOWER": "york"}]}` gives
/// `name` "new york", `tokens` ["new", "york"].
public struct GazetteerEntry: Sendable, Equatable {
    public var name: String
    public var label: String
    public var kbId: String
    public var tokens: [String]?

    public init(name: String, label: String, kbId: String = "", tokens: [String]? = nil) {
        self.name = name
        self.label = label
        self.kbId = kbId
        self.tokens = tokens
    }
}

/// A gazetteer source that cannot be read, naming the file and line:
/// `places.tsv:12: expected name<TAB>label[<TAB>kb_id], found 1 field(s)`.
public struct GazetteerSourceError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
}

/// Reads gazetteer sources: TSV and spaCy EntityRuler `patterns.jsonl`.
///
/// TSV: one `name<TAB>label[<TAB>kb_id]` per line, UTF-8; blank lines and lines starting with `#`
/// are skipped; an empty name is read as such and then dropped by the compiler (`no tokens`). JSONL (`.jsonl`, `.ndjson`, `.json` lines): `{"label": "GPE", "pattern": "New
/// York", "id": "Q60"}`, or a token-list pattern whose every token is `{"ORTH": "..."}` or
/// `{"LOWER": "..."}`; anything else (other token attributes, operators, missing label) is an error
/// naming the file and line. The case of ORTH/LOWER is then governed by the gazetteer's
/// ``CaseMode`` (a LOWER value is lowercase, so under `smart` it matches any casing, as in spaCy).
///
/// Order matters: earlier entries have higher priority (the first id of a name is its `kb_id`).
public enum GazetteerSources {
    /// Reads one source file, choosing the format by extension (`.jsonl`/`.ndjson`: patterns,
    /// anything else: TSV).
    public static func read(path: String) throws -> [GazetteerEntry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GazetteerSourceError(file: path, line: 0, reason: "cannot read the file")
        }
        let bytes = [UInt8](data)
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
            return try parsePatterns(bytes, file: path)
        }
        return try parseTSV(bytes, file: path)
    }

    /// Parses TSV source text.
    public static func parseTSV(_ bytes: [UInt8], file: String) throws -> [GazetteerEntry] {
        var entries: [GazetteerEntry] = []
        entries.reserveCapacity(bytes.count / 24)
        try bytes.withUnsafeBufferPointer { b in
            if let bad = UTF8Check.firstInvalid(b) {
                let line = b[0..<bad].reduce(1) { $0 + ($1 == 10 ? 1 : 0) }
                throw GazetteerSourceError(file: file, line: line, reason: "invalid UTF-8")
            }
            var lineNumber = 0
            var i = 0
            let n = b.count
            if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }  // byte-order mark
            while i < n {
                lineNumber += 1
                var end = i
                while end < n, b[end] != 10 { end += 1 }
                var lineEnd = end
                if lineEnd > i, b[lineEnd - 1] == 13 { lineEnd -= 1 }
                defer { i = end + 1 }
                if lineEnd == i || b[i] == UInt8(ascii: "#") { continue }
                var fields: [Range<Int>] = []
                var fieldStart = i
                for k in i..<lineEnd where b[k] == 9 {
                    fields.append(fieldStart..<k)
                    fieldStart = k + 1
                }
                fields.append(fieldStart..<lineEnd)
                func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self) }
                guard fields.count == 2 || fields.count == 3 else {
                    throw GazetteerSourceError(file: file, line: lineNumber,
                                               reason: "expected name<TAB>label[<TAB>kb_id], found \(fields.count) field(s)")
                }
                let name = text(fields[0]).trimmingCharacters(in: .whitespaces)
                let label = text(fields[1]).trimmingCharacters(in: .whitespaces)
                // An empty name is kept here and dropped by the compiler ("no tokens"), which
                // reports it, as `glean compile --dropped` says.
                guard !label.isEmpty else { throw GazetteerSourceError(file: file, line: lineNumber, reason: "empty label") }
                let kbId = fields.count == 3 ? text(fields[2]).trimmingCharacters(in: .whitespaces) : ""
                entries.append(GazetteerEntry(name: name, label: label, kbId: kbId))
            }
        }
        return entries
    }

    /// Parses spaCy EntityRuler patterns, one JSON object per line.
    public static func parsePatterns(_ bytes: [UInt8], file: String) throws -> [GazetteerEntry] {
        var entries: [GazetteerEntry] = []
        var lineNumber = 0
        var i = 0
        let n = bytes.count
        while i < n {
            lineNumber += 1
            var end = i
            while end < n, bytes[end] != 10 { end += 1 }
            let line = bytes[i..<end]
            i = end + 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            func fail(_ reason: String) -> GazetteerSourceError {
                GazetteerSourceError(file: file, line: lineNumber, reason: reason)
            }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(line), options: [])
            } catch {
                throw fail("not valid JSON")
            }
            guard let dict = object as? [String: Any] else { throw fail("a pattern must be a JSON object") }
            for key in dict.keys where !["label", "pattern", "id"].contains(key) {
                throw fail("unsupported key \"\(key)\" (only label, pattern and id are accepted)")
            }
            guard let label = dict["label"] as? String, !label.isEmpty else { throw fail("missing or empty \"label\"") }
            var kbId = ""
            if let id = dict["id"] {
                if let s = id as? String { kbId = s }
                else if let number = id as? NSNumber, !(id is Bool) { kbId = number.stringValue }
                else { throw fail("\"id\" must be a string or a number") }
            }
            if let pattern = dict["pattern"] as? String {
                guard !pattern.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw fail("empty pattern") }
                entries.append(GazetteerEntry(name: pattern, label: label, kbId: kbId))
            } else if let list = dict["pattern"] as? [Any] {
                guard !list.isEmpty else { throw fail("empty token pattern") }
                var tokens: [String] = []
                for (index, item) in list.enumerated() {
                    guard let token = item as? [String: Any], token.count == 1, let (key, value) = token.first else {
                        throw fail("token \(index + 1): each token must be an object with exactly one of ORTH or LOWER")
                    }
                    guard key == "ORTH" || key == "LOWER" else {
                        throw fail("token \(index + 1): unsupported attribute \"\(key)\" (only ORTH and LOWER are accepted)")
                    }
                    guard let s = value as? String, !s.isEmpty else {
                        throw fail("token \(index + 1): the value of \(key) must be a non-empty string")
                    }
                    tokens.append(key == "LOWER" ? s.lowercased() : s)
                }
                entries.append(GazetteerEntry(name: tokens.joined(separator: " "), label: label, kbId: kbId, tokens: tokens))
            } else {
                throw fail("\"pattern\" must be a string or a list of tokens")
            }
        }
        return entries
    }
}

/// UTF-8 validation for source files.
enum UTF8Check {
    static func firstInvalid(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            var len = 0
            var min: UInt32 = 0
            var v: UInt32 = 0
            if c & 0xE0 == 0xC0 { len = 2; min = 0x80; v = UInt32(c & 0x1F) }
            else if c & 0xF0 == 0xE0 { len = 3; min = 0x800; v = UInt32(c & 0x0F) }
            else if c & 0xF8 == 0xF0 { len = 4; min = 0x10000; v = UInt32(c & 0x07) }
            else { return i }
            if i + len > n { return i }
            for k in 1..<len {
                let d = b[i + k]
                if d & 0xC0 != 0x80 { return i }
                v = v << 6 | UInt32(d & 0x3F)
            }
            if v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) { return i }
            i += len
        }
        return nil
    }
}

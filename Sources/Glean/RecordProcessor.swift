import GleanCore
import GleanIO

/// Counts kept per batch and summed for the end summary.
public struct RunStatistics: Sendable {
    public var records = 0
    public var errors = 0
    public var warnings = 0
    public var blank = 0
    public var tokens = 0
    public var sentences = 0
    public var entitiesByLabel: [String: Int] = [:]
    /// UTF-8 bytes of document text annotated.
    public var textBytes = 0
    /// Bytes of input consumed (compressed where the input is).
    public var inputBytes: Int64 = 0
    /// Why records failed: the first distinct reasons with their counts (the summary shows them).
    public var failureReasons = FailureReasons()

    public init() {}

    public var entities: Int { entitiesByLabel.values.reduce(0, +) }

    public mutating func add(_ other: RunStatistics) {
        records += other.records
        errors += other.errors
        warnings += other.warnings
        blank += other.blank
        tokens += other.tokens
        sentences += other.sentences
        textBytes += other.textBytes
        inputBytes += other.inputBytes
        for (k, v) in other.entitiesByLabel { entitiesByLabel[k, default: 0] += v }
        failureReasons.merge(other.failureReasons)
    }
}

/// Turns input records into output records or error records; one per worker thread.
///
/// For a JSONL record: repair invalid UTF-8 (with a warning), validate the JSON, find the text
/// (`--text-field`, dotted paths reach into nested objects), annotate, and write every input field
/// back unchanged and in order (duplicate keys: the last value at the first key's place, with a
/// warning; keys Glean writes are replaced, with a warning), followed by `tokens`, `sents`,
/// `ents`, `spans`, `warnings`.
public final class RecordProcessor {
    let worker: AnnotatorWorker
    let configuration: AnnotatorConfiguration
    let format: InputFormat
    let sourceName: String
    let textPath: [[UInt8]]
    let idKey: [UInt8]
    static let gleanKeys: [[UInt8]] = ["tokens", "sents", "ents", "spans", "warnings"].map { Array($0.utf8) }
    static let langKey = Array("lang".utf8)

    public init(worker: AnnotatorWorker, format: InputFormat, sourceName: String) {
        self.worker = worker
        configuration = worker.configuration
        self.format = format
        self.sourceName = sourceName
        textPath = configuration.textField.split(separator: ".").map { Array($0.utf8) }
        idKey = Array(configuration.idField.utf8)
    }

    /// Processes one record's bytes; appends one line to `output` or one to `errors`.
    public func process(_ record: UnsafeBufferPointer<UInt8>, line: Int, offset: Int,
                        output: inout JSONWriter, errors: inout JSONWriter, stats: inout RunStatistics) {
        do {
            switch format {
            case .jsonl: try processJSON(record, output: &output, stats: &stats)
            case .text: try processText(record, output: &output, stats: &stats)
            }
            stats.records += 1
        } catch let failure as RecordFailure {
            stats.errors += 1
            stats.failureReasons.note(failure.reason)
            writeError(reason: failure.reason, id: failure.id, line: line, offset: offset, into: &errors)
        } catch {
            stats.errors += 1
            stats.failureReasons.note("\(error)")
            writeError(reason: "\(error)", id: nil, line: line, offset: offset, into: &errors)
        }
    }

    public func writeError(reason: String, id: [UInt8]?, line: Int, offset: Int, into errors: inout JSONWriter) {
        ErrorRecord.write(source: sourceName, reason: reason, id: id, line: line, offset: offset, into: &errors)
    }

    struct RecordFailure: Error {
        var reason: String
        var id: [UInt8]?
    }

    private func processText(_ record: UnsafeBufferPointer<UInt8>, output: inout JSONWriter, stats: inout RunStatistics) throws {
        var warnings: [Warning] = []
        let text: [UInt8]
        if let repaired = UTF8Validation.repaired(record) {
            text = repaired
            warnings.append(Warning(stage: "decode", reason: "invalid UTF-8 replaced with U+FFFD"))
        } else {
            text = Array(record)
        }
        var doc = Document(text: text, lang: configuration.defaultLanguage)
        doc.warnings = warnings
        try annotate(&doc, id: nil)
        output.raw("{\"text\":")
        output.string(doc.text)
        render(doc, into: &output, stats: &stats, leadingComma: true)
    }

    private func annotate(_ doc: inout Document, id: [UInt8]?) throws {
        do {
            try worker.annotate(&doc)
        } catch {
            throw RecordFailure(reason: "\(error)", id: id)
        }
    }

    private func processJSON(_ input: UnsafeBufferPointer<UInt8>, output: inout JSONWriter, stats: inout RunStatistics) throws {
        var warnings: [Warning] = []
        if let repaired = UTF8Validation.repaired(input) {
            warnings.append(Warning(stage: "decode", reason: "invalid UTF-8 in the record replaced with U+FFFD"))
            try repaired.withUnsafeBufferPointer { try processJSONValid($0, warnings: warnings, output: &output, stats: &stats) }
        } else {
            try processJSONValid(input, warnings: warnings, output: &output, stats: &stats)
        }
    }

    private func processJSONValid(_ line: UnsafeBufferPointer<UInt8>, warnings initialWarnings: [Warning],
                                  output: inout JSONWriter, stats: inout RunStatistics) throws {
        var warnings = initialWarnings
        let members: [JSONMember]
        do {
            members = try JSONScanner.objectMembers(line)
        } catch let e {
            throw RecordFailure(reason: "invalid JSON: \(e.reason) at byte \(e.offset) of the line", id: nil)
        }
        // The last occurrence of each key wins; it is written at the first occurrence's place.
        var winner: [Int] = Array(members.indices)
        var skip = [Bool](repeating: false, count: members.count)
        // Records have few keys: a linear search beats hashing every key of every record.
        var firstIndexOfKey: [[UInt8]: Int]? = members.count > 16 ? [:] : nil
        func firstIndex(of key: [UInt8], before end: Int) -> Int? {
            if let table = firstIndexOfKey { return table[key] }
            return (0..<end).first { !skip[$0] && members[$0].key == key }
        }
        for (i, m) in members.enumerated() {
            if let first = firstIndex(of: m.key, before: i) {
                winner[first] = i
                skip[i] = true
                warnings.append(Warning(stage: "decode", name: String(decoding: m.key, as: UTF8.self),
                                        reason: "duplicate key: the last value wins"))
            } else {
                firstIndexOfKey?[m.key] = i
            }
        }
        func member(_ key: [UInt8]) -> JSONMember? {
            firstIndex(of: key, before: members.count).map { members[winner[$0]] }
        }

        let idValue = member(idKey).map { Array(line[$0.valueStart..<$0.valueEnd]) }
        // Find the text: the whole dotted name as one key first, then the path.
        var textMember = member(Array(configuration.textField.utf8))
        if textMember == nil, textPath.count > 1, var current = member(textPath[0]) {
            var found = true
            for component in textPath.dropFirst() {
                guard current.type == .object else { found = false; break }
                let inner = JSONScanner.membersOfValidatedObject(line, at: current.valueStart)
                guard let next = inner.last(where: { $0.key == component }) else { found = false; break }
                current = next
            }
            if found { textMember = current }
        }
        guard let text = textMember else {
            throw RecordFailure(reason: "no \"\(configuration.textField)\" field", id: idValue)
        }
        guard text.type == .string else {
            throw RecordFailure(reason: "field \"\(configuration.textField)\" is \(Self.describe(text.type)), not a string", id: idValue)
        }
        let decoded = JSONScanner.decodeString(line, text.valueStart + 1, text.valueEnd - 1)
        if decoded.repaired {
            warnings.append(Warning(stage: "decode", name: configuration.textField,
                                    reason: "lone surrogate escape in the text replaced with U+FFFD"))
        }
        var lang = configuration.defaultLanguage
        if let l = member(Self.langKey), l.type == .string {
            lang = String(decoding: JSONScanner.decodeString(line, l.valueStart + 1, l.valueEnd - 1).bytes, as: UTF8.self)
        }
        var doc = Document(text: decoded.bytes, lang: lang)
        try annotate(&doc, id: idValue)

        // Pass-through.
        output.byte(UInt8(ascii: "{"))
        var first = true
        for i in members.indices where !skip[i] {
            let m = members[winner[i]]
            if Self.gleanKeys.contains(m.key) {
                warnings.append(Warning(stage: "render", name: String(decoding: m.key, as: UTF8.self),
                                        reason: "input field replaced by Glean's annotation"))
                continue
            }
            if !first { output.byte(UInt8(ascii: ",")) }
            first = false
            // The key exactly as written at its first occurrence (re-encoding the decoded key
            // would turn a lone surrogate escape into U+FFFD).
            let keyStart = members[i].memberStart
            var keyEnd = keyStart + 1
            while line[keyEnd] != UInt8(ascii: "\"") { keyEnd += line[keyEnd] == UInt8(ascii: "\\") ? 2 : 1 }
            output.raw(UnsafeBufferPointer(rebasing: line[keyStart...keyEnd]))
            output.byte(UInt8(ascii: ":"))
            if decoded.repaired, m.valueStart <= text.valueStart, text.valueEnd <= m.valueEnd {
                // Splice the repaired text into the member that holds it.
                output.raw(UnsafeBufferPointer(rebasing: line[m.valueStart..<text.valueStart]))
                output.string(doc.text)
                output.raw(UnsafeBufferPointer(rebasing: line[text.valueEnd..<m.valueEnd]))
            } else {
                output.raw(UnsafeBufferPointer(rebasing: line[m.valueStart..<m.valueEnd]))
            }
        }
        doc.warnings = warnings + doc.warnings
        render(doc, into: &output, stats: &stats, leadingComma: !first)
    }

    static func describe(_ type: JSONValueType) -> String {
        switch type {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// Writes `,"tokens":[...],"sents":[...],"ents":[...],"spans":{...},"warnings":[...]}\n`.
    func render(_ doc: Document, into out: inout JSONWriter, stats: inout RunStatistics, leadingComma: Bool) {
        let emit = configuration.emit
        var comma = leadingComma
        func key(_ name: StaticString) {
            if comma { out.byte(UInt8(ascii: ",")) }
            comma = true
            out.raw(name)
        }
        let map = doc.text.withUnsafeBufferPointer { OffsetMapper(text: $0, unit: configuration.offsets) }
        stats.textBytes += doc.text.count
        stats.tokens += doc.tokens.count
        stats.sentences += doc.sentences.count
        stats.warnings += doc.warnings.count
        if emit.contains(.tokens) {
            key("\"tokens\":[")
            let kindSuffixes = Self.kindSuffixes
            for (i, t) in doc.tokens.enumerated() {
                let start = map(t.start), end = map(t.end)
                // {"id":N,"start":N,"end":N,"kind":"ideographic"}, in one reserved write.
                out.withReserved(112) { p in
                    var n = 0
                    @inline(__always) func put(_ s: StaticString) {
                        (p + n).update(from: s.utf8Start, count: s.utf8CodeUnitCount)
                        n += s.utf8CodeUnitCount
                    }
                    if i > 0 { p[n] = UInt8(ascii: ","); n += 1 }
                    put("{\"id\":")
                    n += JSONWriter.digits(i, at: p + n)
                    put(",\"start\":")
                    n += JSONWriter.digits(start, at: p + n)
                    put(",\"end\":")
                    n += JSONWriter.digits(end, at: p + n)
                    let suffix = kindSuffixes[Int(t.kind.rawValue)]
                    (p + n).update(from: suffix.utf8Start, count: suffix.utf8CodeUnitCount)
                    n += suffix.utf8CodeUnitCount
                    return n
                }
            }
            out.byte(UInt8(ascii: "]"))
        }
        if emit.contains(.sents) {
            key("\"sents\":[")
            for (i, s) in doc.sentences.enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                out.raw("{\"start\":")
                out.int(map(s.start))
                out.raw(",\"end\":")
                out.int(map(s.end))
                out.byte(UInt8(ascii: "}"))
            }
            out.byte(UInt8(ascii: "]"))
        }
        if emit.contains(.ents) {
            key("\"ents\":")
            renderSpans(doc.entities, map: map, into: &out)
            for e in doc.entities { stats.entitiesByLabel[e.label, default: 0] += 1 }
        }
        if emit.contains(.spans) {
            key("\"spans\":{")
            for (g, group) in doc.spanGroups.enumerated() {
                if g > 0 { out.byte(UInt8(ascii: ",")) }
                out.string(group.name)
                out.byte(UInt8(ascii: ":"))
                renderSpans(group.spans, map: map, into: &out)
            }
            out.byte(UInt8(ascii: "}"))
        }
        if !doc.warnings.isEmpty {
            key("\"warnings\":[")
            for (i, w) in doc.warnings.enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                out.raw("{\"stage\":")
                out.string(w.stage)
                if let name = w.name {
                    out.raw(",\"name\":")
                    out.string(name)
                }
                out.raw(",\"reason\":")
                out.string(w.reason)
                out.byte(UInt8(ascii: "}"))
            }
            out.byte(UInt8(ascii: "]"))
        }
        out.raw("}\n")
    }

    static let kindSuffixes: [StaticString] = [",\"kind\":\"word\"}", ",\"kind\":\"number\"}", ",\"kind\":\"punct\"}",
                                               ",\"kind\":\"space\"}", ",\"kind\":\"ideographic\"}", ",\"kind\":\"kana\"}",
                                               ",\"kind\":\"symbol\"}"]

    func renderSpans(_ spans: [Span], map: OffsetMapper, into out: inout JSONWriter) {
        out.byte(UInt8(ascii: "["))
        for (i, s) in spans.enumerated() {
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            out.raw("{\"start\":")
            out.int(map(s.start))
            out.raw(",\"end\":")
            out.int(map(s.end))
            out.raw(",\"label\":")
            out.string(s.label)
            out.raw(",\"kb_id\":")
            out.string(s.kbId)
            if s.kbIds.count > 1 {
                out.raw(",\"kb_ids\":[")
                for (k, id) in s.kbIds.enumerated() {
                    if k > 0 { out.byte(UInt8(ascii: ",")) }
                    out.string(id)
                }
                out.byte(UInt8(ascii: "]"))
            }
            out.raw(",\"source\":")
            switch s.source {
            case .pattern: out.raw("\"pattern\",\"name\":")
            case .gazetteer: out.raw("\"gazetteer\",\"alias\":")
            case .names: out.raw("\"names\",\"name\":")
            case .propagation: out.raw("\"propagation\",\"name\":")
            }
            out.string(s.name)
            if !s.groups.isEmpty {
                out.raw(",\"groups\":{")
                for (k, g) in s.groups.enumerated() {
                    if k > 0 { out.byte(UInt8(ascii: ",")) }
                    out.string(g.name)
                    out.byte(UInt8(ascii: ":"))
                    out.string(g.value)
                }
                out.byte(UInt8(ascii: "}"))
            }
            if let value = s.value {
                out.raw(",\"value\":")
                out.string(value)
            }
            if s.matchStart != s.start || s.matchEnd != s.end {
                out.raw(",\"match_start\":")
                out.int(map(s.matchStart))
                out.raw(",\"match_end\":")
                out.int(map(s.matchEnd))
            }
            out.byte(UInt8(ascii: "}"))
        }
        out.byte(UInt8(ascii: "]"))
    }
}

/// An error record, one line of the errors file: `{"source","line","offset","id"?,"reason"}`.
/// `id` is the record's id value as raw JSON, when the record had one.
public enum ErrorRecord {
    public static func write(source: String, reason: String, id: [UInt8]?, line: Int, offset: Int,
                             into errors: inout JSONWriter) {
        errors.raw("{\"source\":")
        errors.string(source)
        errors.raw(",\"line\":")
        errors.int(line)
        errors.raw(",\"offset\":")
        errors.int(offset)
        if let id {
            errors.raw(",\"id\":")
            errors.raw(id)
        }
        errors.raw(",\"reason\":")
        errors.string(reason)
        errors.raw("}\n")
    }
}

#if canImport(Glibc)
import Glibc
#endif
import GleanCore
import GleanIO

/// Why a record yields an error record instead of an output record, with the record's id (raw
/// JSON) when it had one.
public struct RecordFailure: Error, Sendable {
    public var reason: String
    public var id: [UInt8]?
    public init(reason: String, id: [UInt8]? = nil) {
        self.reason = reason
        self.id = id
    }
}

/// One input record, decoded: the document to annotate, and what a printer needs to write the
/// record back (the fields passed through, where it came from).
///
/// `input` points into bytes that are valid only during the ``RecordDecoder/decode(_:line:_:)``
/// call that hands the record out; printers must not keep it.
public struct DecodedRecord {
    /// The document, not yet annotated.
    public var document: Document
    /// Warnings found while decoding; written before the stages' own.
    public var warnings: [Warning] = []
    /// The record's id value as raw JSON (`"a7"`, `42`), when it has one.
    public var id: [UInt8]?
    /// Where the record came from (a path, or `<stdin>`) and its 1-based line.
    public var source: String
    public var line: Int
    /// The fields written back before Glean's own, in order: raw JSON members.
    public var fields: [PassThroughField] = []
    /// The record's bytes (after UTF-8 repair), that `fields` index.
    public var input: UnsafeBufferPointer<UInt8>
    /// Where in `input` the text's JSON string is (quotes included), when the decoder knows.
    var textRange: Range<Int>?

    /// The record's id as text for a table: a JSON string's contents, any other value as written;
    /// nil when the record has none.
    public var idText: String? {
        guard let id else { return nil }
        if id.first == UInt8(ascii: "\""), id.count >= 2 {
            return id.withUnsafeBufferPointer {
                String(decoding: JSONScanner.decodeString($0, 1, id.count - 1).bytes, as: UTF8.self)
            }
        }
        return String(decoding: id, as: UTF8.self)
    }
}

extension DecodedRecord {
    /// The pass-through fields copied out of `input`, with the text's JSON string left out (the
    /// printer writes the document's text in its place): what the record needs once the bytes it
    /// was decoded from are gone. Nil when the record does not say where its text is.
    ///
    /// `{"id":1,"text":"Hi","meta":{"a":2}}` gives the bytes `"id"1"text""meta"{"a":2}` and the
    /// fields `id`, `text` (a splice of the document's text between nothing and nothing), `meta`.
    func detachedFields() -> (bytes: [UInt8], fields: [PassThroughField])? {
        guard let textRange else { return nil }
        var bytes: [UInt8] = []
        var fields: [PassThroughField] = []
        fields.reserveCapacity(self.fields.count)
        func copy(_ range: Range<Int>) -> Range<Int> {
            let start = bytes.count
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[range]))
            return start..<bytes.count
        }
        for field in self.fields {
            switch field {
            case .member(let key, let value), .repairedText(let key, let value, _):
                let k = copy(key)
                if value.lowerBound <= textRange.lowerBound && textRange.upperBound <= value.upperBound {
                    let before = copy(value.lowerBound..<textRange.lowerBound)
                    let after = copy(textRange.upperBound..<value.upperBound)
                    fields.append(.repairedText(key: k, value: before.lowerBound..<after.upperBound,
                                                text: before.upperBound..<after.lowerBound))
                } else {
                    fields.append(.member(key: k, value: copy(value)))
                }
            case .documentText, .added:
                fields.append(field)
            }
        }
        return (bytes, fields)
    }
}

/// A field of the input written back unchanged: a key and a value, raw JSON.
public enum PassThroughField {
    /// `input[key]` is the key with its quotes as written, `input[value]` the raw value.
    case member(key: Range<Int>, value: Range<Int>)
    /// The member holding the text, whose text had to be repaired: `input[value]` with the
    /// string at `text` replaced by the document's (repaired) text.
    case repairedText(key: Range<Int>, value: Range<Int>, text: Range<Int>)
    /// `"text"`: the document's text (records made from text inputs).
    case documentText
    /// A field Glean adds: a key (without quotes) and a raw JSON value (`"file"`, `"line"`).
    case added(key: StaticString, value: [UInt8])
}

/// Turns the bytes of one input record into a ``DecodedRecord``, or fails with a reason.
///
/// ```swift
/// let decoder = JSONLDecoder(configuration: AnnotatorConfiguration(), source: "a.jsonl")
/// let line = Array(#"{"id":1,"text":"Hi"}"#.utf8)
/// try line.withUnsafeBufferPointer { bytes in
///     try decoder.decode(bytes, line: 1) { record in /* record.document.text == "Hi" */ }
/// }
/// ```
public protocol RecordDecoder {
    /// Decodes `bytes` and calls `body` with the record; `body` may throw a ``RecordFailure``.
    func decode(_ bytes: UnsafeBufferPointer<UInt8>, line: Int,
                _ body: (inout DecodedRecord) throws -> Void) throws
}

/// The decoder of `--format jsonl`: repairs invalid UTF-8 (with a warning), validates the JSON
/// object, finds the text (`--text-field`; a dotted path reaches into nested objects) and the
/// `lang` and id fields, and keeps every input field for pass-through (duplicate keys: the last
/// value at the first key's place, with a warning; keys Glean writes are dropped, with a warning).
/// A JSONL record never gains fields other than Glean's annotation.
public struct JSONLDecoder: RecordDecoder {
    let configuration: AnnotatorConfiguration
    let source: String
    let textPath: [[UInt8]]
    let textKey: [UInt8]
    let idKey: [UInt8]
    static let gleanKeys: [[UInt8]] = ["tokens", "sents", "ents", "spans", "warnings"].map { Array($0.utf8) }
    static let langKey = Array("lang".utf8)

    public init(configuration: AnnotatorConfiguration, source: String) {
        self.configuration = configuration
        self.source = source
        textPath = configuration.textField.split(separator: ".").map { Array($0.utf8) }
        textKey = Array(configuration.textField.utf8)
        idKey = Array(configuration.idField.utf8)
    }

    public func decode(_ input: UnsafeBufferPointer<UInt8>, line: Int,
                       _ body: (inout DecodedRecord) throws -> Void) throws {
        // The line reader never hands over a line feed; a caller of the library might. Passed
        // through inside a field's whitespace it would split the output record in two.
        if let base = input.baseAddress, let feed = memchr(base, 0x0A, input.count) {
            throw RecordFailure(reason: "a JSONL record is one line: a line feed at byte \(UnsafeRawPointer(feed) - UnsafeRawPointer(base)) of the record", id: nil)
        }
        if let repaired = UTF8Validation.repaired(input) {
            let warning = Warning(stage: "decode", reason: "invalid UTF-8 in the record replaced with U+FFFD")
            try repaired.withUnsafeBufferPointer { try decodeValid($0, line: line, warnings: [warning], body) }
        } else {
            try decodeValid(input, line: line, warnings: [], body)
        }
    }

    private func decodeValid(_ line: UnsafeBufferPointer<UInt8>, line lineNumber: Int, warnings initialWarnings: [Warning],
                             _ body: (inout DecodedRecord) throws -> Void) throws {
        var warnings = initialWarnings
        let members: [JSONRawMember]
        do {
            members = try JSONScanner.rawObjectMembers(line)
        } catch let e {
            throw RecordFailure(reason: "invalid JSON: \(e.reason) at byte \(e.offset) of the line", id: nil)
        }
        // The last occurrence of each key wins; it is written at the first occurrence's place.
        // Most records repeat no key: then every member is its own winner, none is skipped, and
        // keys are compared where they lie in the line (no key copied out, no tables built).
        let unique = members.count <= 16 && Self.keysAreUnique(members, in: line)
        let keys: [[UInt8]] = unique ? [] : members.map { $0.key(in: line) }
        var winner: [Int] = unique ? [] : Array(members.indices)
        var skip: [Bool] = unique ? [] : [Bool](repeating: false, count: members.count)
        // Records have few keys: a linear search beats hashing every key of every record.
        var firstIndexOfKey: [[UInt8]: Int]? = members.count > 16 ? [:] : nil
        func firstIndex(of key: [UInt8], before end: Int) -> Int? {
            if unique { return (0..<end).first { members[$0].hasKey(key, in: line) } }
            if let table = firstIndexOfKey { return table[key] }
            return (0..<end).first { !skip[$0] && keys[$0] == key }
        }
        if !unique {
            for i in members.indices {
                if let first = firstIndex(of: keys[i], before: i) {
                    winner[first] = i
                    skip[i] = true
                    warnings.append(Warning(stage: "decode", name: String(decoding: keys[i], as: UTF8.self),
                                            reason: "duplicate key: the last value wins"))
                } else {
                    firstIndexOfKey?[keys[i]] = i
                }
            }
        }
        func member(_ key: [UInt8]) -> JSONRawMember? {
            firstIndex(of: key, before: members.count).map { members[unique ? $0 : winner[$0]] }
        }

        let idValue = member(idKey).map { Array(line[$0.valueStart..<$0.valueEnd]) }
        // Find the text: the whole dotted name as one key first, then the path.
        var textMember = member(textKey)
        if textMember == nil, textPath.count > 1, var current = member(textPath[0]) {
            var found = true
            for component in textPath.dropFirst() {
                guard current.type == .object else { found = false; break }
                let inner = JSONScanner.rawMembersOfValidatedObject(line, at: current.valueStart)
                guard let next = inner.last(where: { $0.hasKey(component, in: line) }) else { found = false; break }
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
            let value = UnsafeBufferPointer(rebasing: line[(l.valueStart + 1)..<(l.valueEnd - 1)])
            // A value without escapes is its own UTF-8 (no decoded copy).
            lang = value.contains(UInt8(ascii: "\\"))
                ? String(decoding: JSONScanner.decodeString(line, l.valueStart + 1, l.valueEnd - 1).bytes, as: UTF8.self)
                : String(decoding: value, as: UTF8.self)
        }

        var fields: [PassThroughField] = []
        fields.reserveCapacity(members.count)
        for i in members.indices where unique || !skip[i] {
            let m = members[unique ? i : winner[i]]
            if Self.isGleanKey(m, in: line) {
                warnings.append(Warning(stage: "render", name: String(decoding: m.key(in: line), as: UTF8.self),
                                        reason: "input field replaced by Glean's annotation"))
                continue
            }
            // The key exactly as written at its first occurrence (re-encoding the decoded key
            // would turn a lone surrogate escape into U+FFFD).
            let keyStart = members[i].memberStart
            let keyEnd = members[i].keyEnd  // the closing quote
            if decoded.repaired, m.valueStart <= text.valueStart, text.valueEnd <= m.valueEnd {
                fields.append(.repairedText(key: keyStart..<keyEnd + 1, value: m.valueStart..<m.valueEnd,
                                            text: text.valueStart..<text.valueEnd))
            } else {
                fields.append(.member(key: keyStart..<keyEnd + 1, value: m.valueStart..<m.valueEnd))
            }
        }
        var record = DecodedRecord(document: Document(text: decoded.bytes, lang: lang), warnings: warnings,
                                   id: idValue, source: source, line: lineNumber, fields: fields, input: line,
                                   textRange: text.valueStart..<text.valueEnd)
        try body(&record)
    }

    /// Whether the member's key is one Glean writes (``gleanKeys``): its length first, then
    /// its bytes, without a copy unless it holds an escape.
    static func isGleanKey(_ m: JSONRawMember, in line: UnsafeBufferPointer<UInt8>) -> Bool {
        if m.keyEscaped { return gleanKeys.contains(m.key(in: line)) }
        @inline(__always) func key(_ s: StaticString) -> Bool {
            m.hasKey(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount), in: line)
        }
        switch m.keyEnd - m.keyStart {
        case 4: return key("ents")
        case 5: return key("sents") || key("spans")
        case 6: return key("tokens")
        case 8: return key("warnings")
        default: return false
        }
    }

    /// Whether no two members share a key (a few members: each against those before it).
    static func keysAreUnique(_ members: [JSONRawMember], in line: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in members.indices {
            for j in 0..<i where members[j].hasSameKey(as: members[i], in: line) { return false }
        }
        return true
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
}

/// The decoder of `--format text`: the record's bytes are the text (invalid UTF-8 repaired, with
/// a warning). The record written back is `{"text", "file", "line"?}`: `file` is the input's path
/// (left out for stdin) and `line` is written with `--lines`, where a record is one line.
public struct TextDecoder: RecordDecoder {
    let configuration: AnnotatorConfiguration
    let source: String
    let fileValue: [UInt8]?
    let lines: Bool

    /// `file` is nil for stdin; `lines` says that each record is one line of the file.
    public init(configuration: AnnotatorConfiguration, source: String, file: String?, lines: Bool) {
        self.configuration = configuration
        self.source = source
        self.lines = lines
        if let file {
            var w = JSONWriter(capacity: file.utf8.count + 8)
            w.string(file)
            fileValue = w.bytes
        } else {
            fileValue = nil
        }
    }

    public func decode(_ input: UnsafeBufferPointer<UInt8>, line: Int,
                       _ body: (inout DecodedRecord) throws -> Void) throws {
        var warnings: [Warning] = []
        let text: [UInt8]
        if let repaired = UTF8Validation.repaired(input) {
            text = repaired
            warnings.append(Warning(stage: "decode", reason: "invalid UTF-8 replaced with U+FFFD"))
        } else {
            text = Array(input)
        }
        var fields: [PassThroughField] = [.documentText]
        if let fileValue { fields.append(.added(key: "file", value: fileValue)) }
        if lines { fields.append(.added(key: "line", value: Array(String(line).utf8))) }
        var record = DecodedRecord(document: Document(text: text, lang: configuration.defaultLanguage),
                                   warnings: warnings, id: nil, source: source, line: line, fields: fields, input: input)
        try body(&record)
    }
}

import Foundation
import GleanCore
import GleanIO

/// One entity of an annotated record, in code-point offsets into ``AnnotatedRecord/text``.
///
/// `name` is the pattern's name for `source == "pattern"` and the gazetteer name that matched
/// (`alias` in the record) for `source == "gazetteer"`.
public struct AnnotatedEntity: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public var label: String
    public var kbId: String
    public var source: String
    public var name: String
    public var value: String?

    public init(start: Int, end: Int, label: String, kbId: String = "", source: String = "", name: String = "", value: String? = nil) {
        self.start = start
        self.end = end
        self.label = label
        self.kbId = kbId
        self.source = source
        self.name = name
        self.value = value
    }
}

/// A record of Glean's annotated JSONL, as `glean render` and `glean stats` read it back.
///
/// Offsets are code points (the default `--offsets codepoint`): `text[start..<end]` over the
/// text's Unicode scalars is the entity. A record without `ents` was never annotated; the
/// reader can annotate it on the fly (``AnnotatedRecordReader``).
///
/// ```swift
/// let r = try AnnotatedRecord(json: #"{"id":"a","text":"In Paris.","ents":[{"start":3,"end":8,"label":"GPE"}]}"#)
/// r.entityText(r.entities[0])  // "Paris"
/// ```
public struct AnnotatedRecord: Sendable {
    /// The record's id as text (a string id as is, any other JSON value as written), if any.
    public var id: String?
    public var text: String
    public var lang: String?
    /// Token count (`tokens`, or the compact form's `starts`), nil when the record has none.
    public var tokenCount: Int?
    /// Sentences as code-point ranges (`sents`), nil when the record has none.
    public var sentences: [Range<Int>]?
    /// The entities (`ents`); nil when the record has no `ents` field.
    public var entities: [AnnotatedEntity]?
    /// The reasons of the record's `warnings`.
    public var warnings: [String]
    /// True for an error record (`source` and `reason`, no text).
    public var isErrorRecord: Bool
    /// The error record's reason.
    public var errorReason: String?

    public init(id: String? = nil, text: String, lang: String? = nil, tokenCount: Int? = nil, sentences: [Range<Int>]? = nil,
                entities: [AnnotatedEntity]? = nil, warnings: [String] = []) {
        self.id = id
        self.text = text
        self.lang = lang
        self.tokenCount = tokenCount
        self.sentences = sentences
        self.entities = entities
        self.warnings = warnings
        isErrorRecord = false
        errorReason = nil
    }

    /// Why a line is not a record Glean can show.
    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses one line of annotated JSONL.
    public init(json line: String) throws {
        try self.init(data: Data(line.utf8))
    }

    /// Parses one line. Glean's own scanner validates the line and finds the fields (Foundation's
    /// parser would drop U+FEFF inside strings and shift every offset after it); only the small
    /// fields (`ents`, `sents`, `warnings`) are decoded into objects, and `tokens` are counted
    /// without being decoded.
    public init(data: Data) throws {
        try self.init(bytes: [UInt8](data))
    }

    init(bytes: [UInt8]) throws {
        var fields: [String: JSONMember] = [:]
        try bytes.withUnsafeBufferPointer { b in
            let members: [JSONMember]
            do {
                members = try JSONScanner.objectMembers(b)
            } catch let error as JSONError {
                throw FormatError(description: "\(error.reason) at byte \(error.offset) of the line")
            }
            for m in members { fields[String(decoding: m.key, as: UTF8.self)] = m }  // the last one wins
        }
        func slice(_ m: JSONMember) -> ArraySlice<UInt8> { bytes[m.valueStart..<m.valueEnd] }
        func string(_ key: String) -> String? {
            guard let m = fields[key], m.type == .string else { return nil }
            return bytes.withUnsafeBufferPointer {
                String(decoding: JSONScanner.decodeString($0, m.valueStart + 1, m.valueEnd - 1).bytes, as: UTF8.self)
            }
        }
        func object(_ key: String) -> Any? {
            guard let m = fields[key] else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(slice(m)), options: [.fragmentsAllowed])
        }
        id = fields["id"].map { m in m.type == .string ? string("id")! : String(decoding: slice(m), as: UTF8.self) }
        lang = string("lang")
        warnings = ((object("warnings") as? [[String: Any]]) ?? []).map { ($0["reason"] as? String) ?? "" }
        tokenCount = nil
        sentences = nil
        entities = nil
        guard let text = string("text") else {
            if let reason = string("reason"), fields["source"] != nil {
                self.text = ""
                isErrorRecord = true
                errorReason = reason
                return
            }
            throw FormatError(description: fields["text"] == nil ? "no \"text\" field" : "field \"text\" is not a string")
        }
        self.text = text
        isErrorRecord = false
        errorReason = nil
        if let m = fields["tokens"] ?? fields["starts"], m.type == .array {
            tokenCount = Self.countElements(slice(m))
        }
        if let sents = object("sents") as? [[String: Any]] {
            sentences = sents.compactMap { s in
                guard let a = Self.int(s["start"]), let b = Self.int(s["end"]), a <= b else { return nil }
                return a..<b
            }
        }
        if let ents = object("ents") as? [[String: Any]] {
            entities = try ents.map { e in
                guard let start = Self.int(e["start"]), let end = Self.int(e["end"]), let label = e["label"] as? String else {
                    throw FormatError(description: "an entity needs integer \"start\", \"end\" and a string \"label\"")
                }
                let name = (e["name"] as? String) ?? (e["alias"] as? String) ?? ""
                return AnnotatedEntity(start: start, end: end, label: label, kbId: (e["kb_id"] as? String) ?? "",
                                       source: (e["source"] as? String) ?? "", name: name, value: e["value"] as? String)
            }
        }
    }

    /// The number of elements of a valid JSON array: commas outside strings at depth 1, plus one.
    static func countElements(_ array: ArraySlice<UInt8>) -> Int {
        var depth = 0, commas = 0, inString = false, escaped = false, nonEmpty = false
        for c in array {
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch c {
            case UInt8(ascii: "\""):
                inString = true
                if depth == 1 { nonEmpty = true }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if depth == 1 { nonEmpty = true }
                depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            case UInt8(ascii: ","): if depth == 1 { commas += 1 }
            case 0x20, 0x09, 0x0A, 0x0D: break
            default: if depth == 1 { nonEmpty = true }
            }
        }
        return nonEmpty ? commas + 1 : 0
    }

    static func int(_ any: Any?) -> Int? {
        (any as? NSNumber)?.intValue
    }

    /// The record built from an annotated ``Document`` (byte offsets turned into code points).
    public init(document doc: Document, id: String? = nil) {
        let map = doc.text.withUnsafeBufferPointer { OffsetMapper(text: $0, unit: .codepoint) }
        self.init(id: id, text: String(decoding: doc.text, as: UTF8.self), lang: doc.lang, tokenCount: doc.tokens.count,
                  sentences: doc.sentences.map { map($0.start)..<map($0.end) },
                  entities: doc.entities.map {
                      AnnotatedEntity(start: map($0.start), end: map($0.end), label: $0.label, kbId: $0.kbId,
                                      source: $0.source.name, name: $0.name, value: $0.value)
                  },
                  warnings: doc.warnings.map(\.reason))
    }

    /// The text of an entity (code-point offsets clamped to the text).
    public func entityText(_ e: AnnotatedEntity) -> String {
        let scalars = Array(text.unicodeScalars)
        let a = max(0, min(e.start, scalars.count)), b = max(a, min(e.end, scalars.count))
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[a..<b])
        return String(s)
    }
}

/// Reads annotated JSONL (a file, `.gz`/`.zst`, or `-` for stdin) record by record.
///
/// Records without `ents` are annotated when `makeAnnotator` is given (for `glean render` of a
/// raw corpus); it is called once, at the first such record, so an annotated input never loads
/// models. Lines that are not records are reported to `onError` with their line number.
///
/// ```swift
/// let reader = try AnnotatedRecordReader(path: "out.jsonl")
/// try reader.forEach { line, record in print(line, record.entities?.count ?? 0) }
/// ```
public final class AnnotatedRecordReader {
    public let path: String
    let reader: RecordReader
    public var makeAnnotator: (() throws -> Annotator)?
    private var worker: AnnotatorWorker?

    public init(path: String, makeAnnotator: (() throws -> Annotator)? = nil) throws {
        self.path = path
        self.makeAnnotator = makeAnnotator
        guard let file = try InputExpander.expand([path], defaultFormat: .jsonl).first else {
            throw InputError("\(path): no such file")
        }
        var input = file
        input.format = .jsonl
        reader = try RecordReader(file: input, fileIndex: 0, wholeFile: false)
    }

    /// Calls `body` for each record, in order; `onError` for each line that is not a record.
    /// `body` returns false to stop.
    public func forEach(onError: (Int, String) -> Void = { _, _ in },
                        _ body: (Int, AnnotatedRecord) throws -> Bool) throws {
        var sequence = 0
        while let batch = try reader.nextBatch(sequence: sequence) {
            sequence += 1
            for r in batch.records {
                let data = Data(batch.data[r.start..<r.end])
                var record: AnnotatedRecord
                do {
                    record = try AnnotatedRecord(data: data)
                } catch {
                    onError(r.line, "\(error)")
                    continue
                }
                if record.entities == nil, !record.isErrorRecord, let makeAnnotator {
                    if worker == nil { worker = try makeAnnotator().makeWorker() }
                    var doc = Document(record.text, lang: record.lang ?? worker!.configuration.defaultLanguage)
                    try worker!.annotate(&doc)
                    let original = record
                    record = AnnotatedRecord(document: doc, id: original.id)
                    record.lang = original.lang
                    record.warnings = original.warnings + record.warnings
                }
                if try !body(r.line, record) { return }
            }
            if let e = batch.readError { throw e }
        }
    }
}

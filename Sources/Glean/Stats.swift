import Foundation

/// Corpus statistics of annotated JSONL, as `glean stats` prints them.
///
/// Add each record with ``add(_:)``; error records (and the lines of an errors file, with
/// ``addErrors(_:)``) count as errors; lines that are not records count as unreadable.
/// `tokens` and `sentences` count only the records that carry them (`documentsWithTokens`).
///
/// ```swift
/// var stats = CorpusStatistics()
/// stats.add(try AnnotatedRecord(json: #"{"text":"In Paris.","ents":[{"start":3,"end":8,"label":"GPE","source":"gazetteer"}]}"#))
/// stats.entitiesByLabel  // ["GPE": 1]
/// stats.top(5)["GPE"]    // [("Paris", 1)]
/// ```
public struct CorpusStatistics: Sendable, Equatable {
    public var documents = 0
    public var tokens = 0
    public var documentsWithTokens = 0
    public var sentences = 0
    public var documentsWithSentences = 0
    public var entities = 0
    public var entitiesByLabel: [String: Int] = [:]
    public var entitiesBySource: [String: Int] = [:]
    /// How often each entity text occurs, per label.
    public var entityTexts: [String: [String: Int]] = [:]
    public var documentsWithWarnings = 0
    public var warnings = 0
    /// Error records: in the input, plus the records of the errors file.
    public var errors = 0
    /// Lines that are neither a record nor an error record.
    public var unreadableLines = 0

    public init() {}

    public mutating func add(_ record: AnnotatedRecord) {
        if record.isErrorRecord {
            errors += 1
            return
        }
        documents += 1
        if let t = record.tokenCount {
            tokens += t
            documentsWithTokens += 1
        }
        if let s = record.sentences {
            sentences += s.count
            documentsWithSentences += 1
        }
        if !record.warnings.isEmpty {
            documentsWithWarnings += 1
            warnings += record.warnings.count
        }
        guard let ents = record.entities, !ents.isEmpty else { return }
        let scalars = Array(record.text.unicodeScalars)
        for e in ents {
            entities += 1
            entitiesByLabel[e.label, default: 0] += 1
            entitiesBySource[e.source.isEmpty ? "unknown" : e.source, default: 0] += 1
            let a = max(0, min(e.start, scalars.count)), b = max(a, min(e.end, scalars.count))
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[a..<b])
            entityTexts[e.label, default: [:]][String(s), default: 0] += 1
        }
    }

    /// Counts the records of an errors file (one JSON object per non-blank line).
    public mutating func addErrors(_ errorsFile: Data) {
        errors += errorsFile.split(separator: UInt8(ascii: "\n")).filter { line in line.contains { $0 != 0x20 && $0 != 0x0D } }.count
    }

    /// The `n` most frequent entity texts per label, most frequent first (ties: text order).
    public func top(_ n: Int) -> [String: [(text: String, count: Int)]] {
        entityTexts.mapValues { counts in
            Array(counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n))
                .map { (text: $0.key, count: $0.value) }
        }
    }

    public static func == (a: CorpusStatistics, b: CorpusStatistics) -> Bool {
        a.documents == b.documents && a.tokens == b.tokens && a.sentences == b.sentences && a.entities == b.entities
            && a.entitiesByLabel == b.entitiesByLabel && a.entitiesBySource == b.entitiesBySource
            && a.entityTexts == b.entityTexts && a.documentsWithWarnings == b.documentsWithWarnings
            && a.warnings == b.warnings && a.errors == b.errors && a.unreadableLines == b.unreadableLines
            && a.documentsWithTokens == b.documentsWithTokens && a.documentsWithSentences == b.documentsWithSentences
    }

    static func byCount(_ d: [String: Int]) -> [(key: String, value: Int)] {
        d.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    }

    /// A readable table.
    public func table(top n: Int) -> String {
        func g(_ x: Int) -> String { SummaryReport.grouped(x) }
        var rows: [(String, String)] = [
            ("documents", g(documents)),
            ("tokens", g(tokens) + (documentsWithTokens < documents ? "  (\(g(documentsWithTokens)) documents have tokens)" : "")),
            ("sentences", g(sentences) + (documentsWithSentences < documents ? "  (\(g(documentsWithSentences)) documents have sentences)" : "")),
            ("entities", g(entities)),
            ("documents with warnings", g(documentsWithWarnings) + (warnings > 0 ? "  (\(g(warnings)) warning\(warnings == 1 ? "" : "s"))" : "")),
            ("errors", g(errors)),
        ]
        if unreadableLines > 0 { rows.append(("unreadable lines", g(unreadableLines))) }
        let width = rows.map(\.0.count).max() ?? 0
        var out = rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n") + "\n"
        if !entitiesBySource.isEmpty {
            out += "\nentities by source\n"
            for (k, v) in Self.byCount(entitiesBySource) { out += "  " + k.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + g(v) + "\n" }
        }
        if !entitiesByLabel.isEmpty {
            let tops = top(n)
            let labelWidth = max(5, entitiesByLabel.keys.map(\.count).max() ?? 0)
            out += "\nlabel" + String(repeating: " ", count: labelWidth - 5) + "  entities  most frequent\n"
            for (label, count) in Self.byCount(entitiesByLabel) {
                let common = (tops[label] ?? []).map { "\(Self.oneLine($0.text)) (\(g($0.count)))" }.joined(separator: ", ")
                let c = g(count)
                out += label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + "  "
                    + String(repeating: " ", count: max(0, 8 - c.count)) + c + "  " + common + "\n"
            }
        }
        return out
    }

    static func oneLine(_ s: String) -> String {
        s.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\t", with: " ")
    }

    /// One JSON document (with a final newline).
    public func json(top n: Int) -> String {
        func object(_ d: [String: Int]) -> String {
            "{" + d.sorted { $0.key < $1.key }.map { HTMLEscaping.jsonString($0.key) + ":\($0.value)" }.joined(separator: ",") + "}"
        }
        let tops = top(n)
        let topJSON = "{" + tops.sorted { $0.key < $1.key }.map { label, list in
            HTMLEscaping.jsonString(label) + ":[" + list.map { "{\"text\":\(HTMLEscaping.jsonString($0.text)),\"count\":\($0.count)}" }
                .joined(separator: ",") + "]"
        }.joined(separator: ",") + "}"
        return "{\"documents\":\(documents),\"tokens\":\(tokens),\"documents_with_tokens\":\(documentsWithTokens)"
            + ",\"sentences\":\(sentences),\"documents_with_sentences\":\(documentsWithSentences)"
            + ",\"entities\":\(entities),\"entities_by_label\":\(object(entitiesByLabel)),\"entities_by_source\":\(object(entitiesBySource))"
            + ",\"top_entities\":\(topJSON),\"documents_with_warnings\":\(documentsWithWarnings),\"warnings\":\(warnings)"
            + ",\"errors\":\(errors),\"unreadable_lines\":\(unreadableLines)}\n"
    }

    /// Where `glean annotate -o path` writes its error records: `out.errors.jsonl` for `out.jsonl`.
    public static func errorsPath(beside path: String) -> String { OrderedWriter.errorsPath(beside: path) }

    /// Statistics of one annotated file, plus the errors file beside it (`out.errors.jsonl` for
    /// `out.jsonl`) when there is one. Records without `ents` are annotated with the annotator
    /// `makeAnnotator` gives, if any (see ``AnnotatedRecordReader``).
    public static func of(path: String, errorsPath: String? = nil, makeAnnotator: (() throws -> Annotator)? = nil,
                          onUnreadable: (Int, String) -> Void = { _, _ in }) throws -> CorpusStatistics {
        var stats = CorpusStatistics()
        let reader = try AnnotatedRecordReader(path: path, makeAnnotator: makeAnnotator)
        try reader.forEach(onError: { line, reason in
            stats.unreadableLines += 1
            onUnreadable(line, reason)
        }) { _, record in
            stats.add(record)
            return true
        }
        let errors = errorsPath ?? (path == "-" ? nil : Self.errorsPath(beside: path))
        if let errors, errors != path, let data = FileManager.default.contents(atPath: errors) {
            stats.addErrors(data)
        }
        return stats
    }
}

import Foundation
import GleanCore

/// The end-of-run summary: a few readable lines for stderr, and a JSON document for
/// `--summary-json` (counts, speeds, options, versions) for reproducibility.
public enum SummaryReport {
    public static func text(_ s: RunSummary) -> String {
        let st = s.statistics
        var lines: [String] = []
        func plural(_ n: Int, _ word: String) -> String { "\(grouped(n)) \(word)\(n == 1 ? "" : "s")" }
        let failed = st.errors > 0 ? ", \(grouped(st.errors)) failed" : ""
        let warned = st.warnings > 0 ? ", " + plural(st.warnings, "warning") : ""
        let blank = st.blank > 0 ? ", " + plural(st.blank, "blank line") + " skipped" : ""
        lines.append("glean: \(plural(st.records, "document")) annotated\(failed)\(warned)\(blank) from \(s.files) input\(s.files == 1 ? "" : "s") in \(String(format: "%.2f", s.seconds)) s")
        var counts = "  tokens \(grouped(st.tokens))  sentences \(grouped(st.sentences))  entities \(grouped(st.entities))"
        if !st.entitiesByLabel.isEmpty {
            let top = st.entitiesByLabel.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            counts += " (" + top.map { "\($0.key) \(grouped($0.value))" }.joined(separator: ", ") + ")"
        }
        lines.append(counts)
        lines.append(String(format: "  text %.1f MB at %.1f MB/s, %.0f docs/s, %d thread%@", Double(st.textBytes) / 1e6,
                            s.megabytesPerSecond, s.seconds > 0 ? Double(st.records) / s.seconds : 0, s.threads, s.threads == 1 ? "" : "s"))
        lines.append("  output: \(s.outputDescription)" + (s.errorsDescription.map { "   errors: \($0)" } ?? ""))
        if let reason = s.stoppedEarly { lines.append("  stopped early: \(reason)") }
        lines += failureLines(st)
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ s: RunSummary, configuration: AnnotatorConfiguration, options: PipelineOptions) -> Data {
        var w = JSONWriter()
        let st = s.statistics
        w.raw("{\"glean\":"); w.string(GleanVersion.glean)
        w.raw(",\"icu\":"); w.string(GleanVersion.icu)
        w.raw(",\"unicode\":"); w.string(GleanVersion.unicode)
        w.raw(",\"pcre2\":"); w.string(GleanVersion.pcre2)
        w.raw(",\"documents\":"); w.int(st.records)
        w.raw(",\"errors\":"); w.int(st.errors)
        w.raw(",\"failure_reasons\":[")
        for (i, e) in st.failureReasons.entries.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"reason\":"); w.string(e.reason)
            w.raw(",\"count\":"); w.int(e.count)
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "]"))
        w.raw(",\"warnings\":"); w.int(st.warnings)
        w.raw(",\"blank_lines\":"); w.int(st.blank)
        w.raw(",\"tokens\":"); w.int(st.tokens)
        w.raw(",\"sentences\":"); w.int(st.sentences)
        w.raw(",\"entities\":"); w.int(st.entities)
        w.raw(",\"entities_by_label\":{")
        for (i, (k, v)) in st.entitiesByLabel.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(k); w.byte(UInt8(ascii: ":")); w.int(v)
        }
        w.raw("},\"text_bytes\":"); w.int(st.textBytes)
        w.raw(",\"input_bytes\":"); w.int(Int(st.inputBytes))
        w.raw(",\"seconds\":"); w.rawText(String(format: "%.6f", s.seconds))
        w.raw(",\"mb_per_second\":"); w.rawText(String(format: "%.3f", s.megabytesPerSecond))
        w.raw(",\"threads\":"); w.int(s.threads)
        w.raw(",\"files\":"); w.int(s.files)
        w.raw(",\"stopped_early\":")
        if let r = s.stoppedEarly { w.string(r) } else { w.raw("null") }
        w.raw(",\"options\":{\"text_field\":"); w.string(configuration.textField)
        w.raw(",\"id_field\":"); w.string(configuration.idField)
        w.raw(",\"lang\":"); w.string(configuration.defaultLanguage)
        w.raw(",\"offsets\":"); w.string(configuration.offsets.rawValue)
        w.raw(",\"emit\":[")
        let emits: [(EmitSet, String)] = [(.tokens, "tokens"), (.sents, "sents"), (.ents, "ents"), (.spans, "spans")]
        var firstEmit = true
        for (flag, name) in emits where configuration.emit.contains(flag) {
            if !firstEmit { w.byte(UInt8(ascii: ",")) }
            firstEmit = false
            w.string(name)
        }
        w.raw("],\"resolution\":"); w.string(configuration.resolution.rawValue)
        w.raw("},\"models\":[")
        for (i, stage) in configuration.stages.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"stage\":"); w.string(stage.name)
            w.raw(",\"checksum\":"); w.string(stage.checksum)
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("],\"inputs\":[")
        for (i, f) in options.inputs.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(f.path)
        }
        w.raw("]}\n")
        return Data(w.bytes)
    }

    /// Why records failed, for the summary: the first distinct reasons with their counts, and
    /// a hint when the input looks like plain text read as JSONL.
    ///
    /// ```
    ///   failed: not JSON (a record must be a JSON object) (12); no "text" field (1)
    ///   hint: the input looks like plain text, not JSONL: use --format text (or name the files .txt)
    /// ```
    public static func failureLines(_ st: RunStatistics) -> [String] {
        let reasons = st.failureReasons
        guard !reasons.entries.isEmpty else { return [] }
        var parts = reasons.entries.prefix(FailureReasons.shown).map { "\($0.reason) (\(grouped($0.count)))" }
        let listed = reasons.entries.prefix(FailureReasons.shown).reduce(0) { $0 + $1.count }
        if st.errors > listed { parts.append("\(grouped(st.errors - listed)) other\(st.errors - listed == 1 ? "" : "s")") }
        var lines = ["  failed: " + parts.joined(separator: "; ")]
        let notJSON = reasons.entries.filter { $0.reason.contains(FailureReasons.notJSONPrefix) }.reduce(0) { $0 + $1.count }
        if notJSON > 0, notJSON * 2 >= st.errors {
            lines.append("  hint: the input looks like plain text, not JSONL: use --format text (or name the files .txt)")
        }
        return lines
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}

/// The distinct reasons why records failed, in the order first seen, with counts. Reasons that
/// differ only in a byte offset ("... at byte 17 of the line") count as one. At most
/// ``kept`` distinct reasons are kept; the rest are only counted.
///
/// ```swift
/// var r = FailureReasons()
/// r.note("invalid JSON: expected ':' after a key at byte 9 of the line")
/// r.note("invalid JSON: expected ':' after a key at byte 14 of the line")
/// r.entries  // [("invalid JSON: expected ':' after a key", 2)]
/// ```
public struct FailureReasons: Sendable, Equatable {
    public static let kept = 16
    /// How many the summary lists.
    public static let shown = 3
    static let notJSONPrefix = "not JSON"

    public private(set) var entries: [(reason: String, count: Int)] = []

    public init() {}

    /// The reason without the parts that vary from record to record (byte offsets).
    public static func kind(of reason: String) -> String {
        if let r = reason.range(of: " at byte ") {
            let tail = reason[r.upperBound...].drop { $0.isNumber }
            if tail.isEmpty || tail == " of the line" { return String(reason[..<r.lowerBound]) }
        }
        return reason
    }

    public mutating func note(_ reason: String, count: Int = 1) {
        let k = Self.kind(of: reason)
        if let i = entries.firstIndex(where: { $0.reason == k }) {
            entries[i].count += count
        } else if entries.count < Self.kept {
            entries.append((k, count))
        }
    }

    public mutating func merge(_ other: FailureReasons) {
        for e in other.entries { note(e.reason, count: e.count) }
    }

    public static func == (a: FailureReasons, b: FailureReasons) -> Bool {
        a.entries.map(\.reason) == b.entries.map(\.reason) && a.entries.map(\.count) == b.entries.map(\.count)
    }
}

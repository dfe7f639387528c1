import GleanCore
import GleanIO

/// The entity table: one row per entity (the record's `ents`), with the columns
/// `doc_id, file, line, start, end, text, label, kb_id, source, name`.
///
/// `doc_id` is the record's id field (`--id-field`): a JSON string's contents, any other value
/// as written, empty when the record has none; `file` and `line` (1-based) always identify the
/// record. `start`/`end` are in the `--offsets` unit, `text` is the entity's text, `source` the
/// stage (`pattern`, `gazetteer`, ...) and `name` the pattern's name or the alias that matched.
/// A document without entities writes no row.
///
/// ```text
/// doc_id,file,line,start,end,text,label,kb_id,source,name
/// a7,news.jsonl,1,13,19,Sydney,GPE,Q3130,gazetteer,Sydney
/// ```
public final class EntityTablePrinter: Printer {
    let configuration: AnnotatorConfiguration
    let dialect: EntityTableDialect
    static let columns = ["doc_id", "file", "line", "start", "end", "text", "label", "kb_id", "source", "name"]

    public init(configuration: AnnotatorConfiguration, dialect: EntityTableDialect) {
        self.configuration = configuration
        self.dialect = dialect
    }

    /// The header row (CSV and TSV); JSONL rows have none.
    public static func header(_ dialect: EntityTableDialect) -> [UInt8] {
        switch dialect {
        case .csv: Array((columns.joined(separator: ",") + "\n").utf8)
        case .tsv: Array((columns.joined(separator: "\t") + "\n").utf8)
        case .jsonl: []
        }
    }

    public func print(_ doc: Document, record: DecodedRecord, into out: inout JSONWriter) {
        print(doc, record: record, into: &out, spill: nil)
    }

    /// The same, handing the rows to `spill` as they grow (between rows).
    public func print(_ doc: Document, record: DecodedRecord, into out: inout JSONWriter, spill: OutputSpill?) {
        guard !doc.entities.isEmpty else { return }
        var offsets = DocumentOffsets(doc, unit: configuration.offsets)
        let idText = record.idText
        for e in doc.entities {
            spill?.check(&out)
            let start = offsets.start(of: e.firstToken, byte: e.start)
            let end = offsets.end(of: e.endToken - 1, byte: e.end)
            let text = Array(doc.text[e.start..<e.end])
            switch dialect {
            case .jsonl:
                out.raw("{\"doc_id\":")
                if let id = record.id { out.raw(id) } else { out.raw("null") }
                out.raw(",\"file\":"); out.string(record.source)
                out.raw(",\"line\":"); out.int(record.line)
                out.raw(",\"start\":"); out.int(start)
                out.raw(",\"end\":"); out.int(end)
                out.raw(",\"text\":"); out.string(text)
                out.raw(",\"label\":"); out.string(e.label)
                out.raw(",\"kb_id\":"); out.string(e.kbId)
                out.raw(",\"source\":"); out.string(e.source.name)
                out.raw(",\"name\":"); out.string(e.name)
                out.raw("}\n")
            case .csv, .tsv:
                let separator = dialect == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t")
                let fields: [[UInt8]] = [Array((idText ?? "").utf8), Array(record.source.utf8), Array(String(record.line).utf8),
                                         Array(String(start).utf8), Array(String(end).utf8), text, Array(e.label.utf8),
                                         Array(e.kbId.utf8), Array(e.source.name.utf8), Array(e.name.utf8)]
                for (i, f) in fields.enumerated() {
                    if i > 0 { out.byte(separator) }
                    if dialect == .csv { Self.csvField(f, into: &out) } else { Self.tsvField(f, into: &out) }
                }
                out.byte(0x0A)
            }
        }
    }

    /// RFC 4180: a field holding `,` `"` CR or LF is quoted, with its quotes doubled.
    static func csvField(_ f: [UInt8], into out: inout JSONWriter) {
        let needsQuotes = f.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { out.raw(f); return }
        out.byte(UInt8(ascii: "\""))
        for c in f {
            if c == UInt8(ascii: "\"") { out.byte(c) }
            out.byte(c)
        }
        out.byte(UInt8(ascii: "\""))
    }

    /// A tab, LF, CR or backslash becomes `\t`, `\n`, `\r`, `\\`.
    static func tsvField(_ f: [UInt8], into out: inout JSONWriter) {
        for c in f {
            switch c {
            case 0x09: out.raw("\\t")
            case 0x0A: out.raw("\\n")
            case 0x0D: out.raw("\\r")
            case UInt8(ascii: "\\"): out.raw("\\\\")
            default: out.byte(c)
            }
        }
    }
}

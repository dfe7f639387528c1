import Foundation
@testable import Glean
import GleanTestSupport
import Testing

/// The entity table: one row per entity of the JSONL printer's output, in CSV (read back with a
/// strict RFC 4180 reader), TSV and JSONL rows.
struct PrinterEntityTableTests {
    /// RFC 4180 fields: (field, how it is written).
    static let csvExamples: [(String, String)] = [
        ("plain", "plain"), ("", ""), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""), ("cr\r", "\"cr\r\""), ("tab\there", "tab\there"), ("Zürich 🙂", "Zürich 🙂"),
    ]

    @Test(arguments: csvExamples)
    func csvQuoting(field: String, written: String) {
        var w = JSONWriter()
        EntityTablePrinter.csvField(Array(field.utf8), into: &w)
        #expect(String(decoding: w.bytes, as: UTF8.self) == written)
        #expect(Self.readCSV(written + "\n") == [[field]])
    }

    static let tsvExamples: [(String, String)] = [
        ("plain", "plain"), ("a\tb", "a\\tb"), ("two\nlines", "two\\nlines"), ("back\\slash", "back\\\\slash"), ("a,\"b\"", "a,\"b\""),
    ]

    @Test(arguments: tsvExamples)
    func tsvEscapes(field: String, written: String) {
        var w = JSONWriter()
        EntityTablePrinter.tsvField(Array(field.utf8), into: &w)
        #expect(String(decoding: w.bytes, as: UTF8.self) == written)
    }

    /// The rows the table must hold, made from the JSONL output: one per entity, in order.
    static func expectedRows(_ jsonl: [UInt8], source: String) throws -> [[String]] {
        var rows: [[String]] = []
        for (i, r) in try jsonLines(jsonl).enumerated() {
            let text = try #require(r.string("text"))
            let scalars = Array(text.unicodeScalars)
            let id: String = r.raw("id").map { raw in raw.hasPrefix("\"") ? (r.string("id") ?? "") : (raw == "null" ? "null" : raw) } ?? ""
            for e in (r["ents"] as? [[String: Any]]) ?? [] {
                let start = e["start"] as! Int, end = e["end"] as! Int
                let source2 = e["source"] as! String
                let name = (e["name"] ?? e["alias"]) as! String
                rows.append([id, source, String(r.lineNumber ?? i + 1), String(start), String(end),
                             String(String.UnicodeScalarView(scalars[start..<end])), e["label"] as! String,
                             e["kb_id"] as! String, source2, name])
            }
        }
        return rows
    }

    @Test func csvHasOneRowPerEntity() throws {
        let scratch = Scratch("entities-csv")
        let input = PrinterRun.corpus(in: scratch)
        let jsonl = try PrinterRun.run([input], in: scratch, output: "a.jsonl", format: .jsonl)
        let csv = try PrinterRun.run([input], in: scratch, output: "e.csv", format: .entities(.csv))
        let table = Self.readCSV(String(decoding: csv.bytes, as: UTF8.self))
        #expect(table.first == EntityTablePrinter.columns)
        let expected = try Self.expectedRows(Self.numbered(jsonl.bytes, input: input), source: input)
        #expect(expected.count == jsonl.summary.statistics.entities && expected.count > 20)
        #expect(Array(table.dropFirst()) == expected)
    }

    @Test func tsvAndJSONLRowsHoldTheSameTable() throws {
        let scratch = Scratch("entities-tsv")
        let input = PrinterRun.corpus(in: scratch)
        let csv = Self.readCSV(String(decoding: try PrinterRun.run([input], in: scratch, output: "e.csv", format: .entities(.csv)).bytes, as: UTF8.self))
        let tsvBytes = try PrinterRun.run([input], in: scratch, output: "e.tsv", format: .entities(.tsv)).bytes
        let tsv = String(decoding: tsvBytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map { Self.unescapeTSV(String($0)) }
        }
        #expect(tsv == csv)
        let rows = try jsonLines(try PrinterRun.run([input], in: scratch, output: "e.jsonl", format: .entities(.jsonl)).bytes)
        #expect(rows.count == csv.count - 1)
        for (row, line) in zip(csv.dropFirst(), rows) {
            #expect(line.keys == EntityTablePrinter.columns)
            #expect(line.string("text") == row[5] && line.string("label") == row[6] && line.raw("start") == row[3])
            let raw = line.raw("doc_id")!
            #expect(raw.hasPrefix("\"") ? line.string("doc_id") == row[0] : (raw == "null" ? row[0] == "null" || row[0] == "" : raw == row[0]))
        }
    }

    /// The JSONL output's records, each with the input line it came from (blank lines and errors skipped).
    static func numbered(_ jsonl: [UInt8], input: String) throws -> [UInt8] {
        let inputLines = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let errors = try jsonLines(Array(FileManager.default.contents(atPath: input.replacingOccurrences(of: "corpus.jsonl", with: "a.jsonl.errors")) ?? Data()))
        let failed = Set(errors.compactMap { $0["line"] as? Int })
        var lineNumbers = (1...inputLines.count).filter { !inputLines[$0 - 1].isEmpty && !failed.contains($0) }
        var out: [UInt8] = []
        for line in try jsonLines(jsonl) {
            let n = lineNumbers.removeFirst()
            out += Array(#"{"__line":\#(n),"#.utf8) + line.bytes.dropFirst() + [0x0A]
        }
        return out
    }

    static func unescapeTSV(_ s: String) -> String {
        var out = "", escaped = false
        for c in s {
            if escaped {
                out.append(c == "t" ? "\t" : c == "n" ? "\n" : c == "r" ? "\r" : c)
                escaped = false
            } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }

    /// A strict RFC 4180 reader (LF or CRLF line ends).
    static func readCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, wasQuoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" && field.isEmpty && !wasQuoted {
                quoted = true; wasQuoted = true
            } else if c == "," {
                row.append(field); field = ""; wasQuoted = false
            } else if c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""; wasQuoted = false
            } else if c == "\r" && chars.first == "\n" {
                continue
            } else { field.unicodeScalars.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

extension Line {
    /// The input line number a test wrote into the record (`__line`).
    var lineNumber: Int? { self["__line"] as? Int }
}

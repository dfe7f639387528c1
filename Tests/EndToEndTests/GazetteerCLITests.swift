import Foundation
import Testing

/// The built `glean` binary's gazetteer commands end to end: `glean compile`, `glean gazetteer
/// lookup|info`, and `glean annotate --gazetteer` with a compiled file, with a TSV source and with
/// a corrupt file (exit status 2, a message naming the file, nothing written).
@Suite struct GazetteerCLITests {
    typealias CLI = CLITests

    static let tsv = """
        # name<TAB>label<TAB>kb_id
        New York\tGPE\tGeoNames:5128581
        New York City\tGPE\tGeoNames:5128581
        Georgia\tGPE\tISO3166-1:GE
        Georgia\tGPE\tISO3166-2:US-GA
        Zürich\tGPE\tGeoNames:2657896
        And\tGPE\tGeoNames:0000001
        the\tGPE\tGeoNames:0000002

        """

    /// A directory with `places.tsv` and a one-record `input.jsonl`.
    static func fixture() throws -> URL {
        let dir = try CLI.temporaryDirectory()
        try Data(tsv.utf8).write(to: dir.appendingPathComponent("places.tsv"))
        let record = #"{"id":"a","text":"Flights from NEW YORK CITY to Georgia and Zürich, and the rest."}"# + "\n"
        try Data(record.utf8).write(to: dir.appendingPathComponent("input.jsonl"))
        return dir
    }

    static func entities(_ url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var out: [String] = []
        for line in text.split(separator: "\n") {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let body = record["text"] as! String
            let scalars = Array(body.unicodeScalars)
            for e in record["ents"] as? [[String: Any]] ?? [] where e["source"] as? String == "gazetteer" {
                let s = e["start"] as! Int, t = e["end"] as! Int
                var piece = String.UnicodeScalarView()
                piece.append(contentsOf: scalars[s..<t])
                out.append("\(String(piece))/\(e["label"] as! String)/\(e["kb_id"] as? String ?? "")")
            }
        }
        return out
    }

    @Test func compileWritesTheFileAndReportsDroppedCommonWords() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("places.glz").path
        let r = try CLI.run(["compile", dir.appendingPathComponent("places.tsv").path, "-o", out, "--drop-common-words"])
        #expect(r.status == 0, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: out))
        // "And" and "the" are common words (the word list has them in lowercase); "New York" is not.
        #expect(r.err.contains("common word: 2"), "\(r.err)")
        #expect(r.err.contains("common words dropped: And, the") || r.err.contains("common words dropped: the, And"), "\(r.err)")
        #expect(r.err.contains("5 entries"), "\(r.err)")
        // No temporary file is left beside it.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        #expect(left.isEmpty)

        // --dropped writes the list.
        let dropped = dir.appendingPathComponent("dropped.tsv").path
        let r2 = try CLI.run(["compile", dir.appendingPathComponent("places.tsv").path, "-o", out, "--drop-common-words",
                              "--dropped", dropped, "--quiet"])
        #expect(r2.status == 0 && r2.err.isEmpty, "\(r2.err)")
        let listed = try String(contentsOfFile: dropped, encoding: .utf8)
        #expect(listed.contains("And\tGPE\tGeoNames:0000001\tcommon word"))
        #expect(listed.contains("the\tGPE\tGeoNames:0000002\tcommon word"))
    }

    @Test func lookupAndInfo() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let glz = dir.appendingPathComponent("places.glz").path
        #expect(try CLI.run(["compile", dir.appendingPathComponent("places.tsv").path, "-o", glz, "--case", "smart",
                             "--fold-accents", "--quiet"]).status == 0)

        let georgia = try CLI.run(["gazetteer", "lookup", glz, "georgia"])
        // Smart case: "Georgia" is written with a capital, so the all-lowercase "georgia" is no match.
        #expect(georgia.status == 1 && georgia.out.isEmpty)
        #expect(georgia.err.contains("no entry for \"georgia\""), "\(georgia.err)")
        let upper = try CLI.run(["gazetteer", "lookup", glz, "GEORGIA"])
        #expect(upper.status == 0)
        #expect(upper.out == "Georgia\tGPE\tISO3166-1:GE\nGeorgia\tGPE\tISO3166-2:US-GA\n", "\(upper.out)")
        let zurich = try CLI.run(["gazetteer", "lookup", glz, "Zurich"])
        #expect(zurich.out == "Zürich\tGPE\tGeoNames:2657896\n", "\(zurich.out)")
        // A source file is compiled in memory for lookup.
        let fromSource = try CLI.run(["gazetteer", "lookup", dir.appendingPathComponent("places.tsv").path, "New  York"])
        #expect(fromSource.out == "New York\tGPE\tGeoNames:5128581\n", "\(fromSource.out)")

        let info = try CLI.run(["gazetteer", "info", glz, "--json"])
        #expect(info.status == 0)
        let object = try JSONSerialization.jsonObject(with: info.stdout) as! [String: Any]
        #expect(object["case"] as? String == "smart")
        #expect(object["fold_accents"] as? Bool == true)
        #expect(object["entries"] as? Int == 7)
        #expect(object["names"] as? Int == 6)
        #expect((object["labels"] as? [String: Int]) == ["GPE": 7])
        #expect(object["bytes"] as? Int == (try FileManager.default.attributesOfItem(atPath: glz)[.size] as? Int))
        let text = try CLI.run(["gazetteer", "info", glz])
        #expect(text.status == 0 && text.out.contains("case            smart, accents folded"), "\(text.out)")
    }

    @Test func annotateWithCompiledFileAndWithSource() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("input.jsonl").path
        let glz = dir.appendingPathComponent("places.glz").path
        #expect(try CLI.run(["compile", dir.appendingPathComponent("places.tsv").path, "-o", glz, "--drop-common-words",
                             "--quiet"]).status == 0)
        let expected = ["NEW YORK CITY/GPE/GeoNames:5128581", "Georgia/GPE/ISO3166-1:GE", "Zürich/GPE/GeoNames:2657896"]

        let fromGlz = dir.appendingPathComponent("a.jsonl")
        let r = try CLI.run(["annotate", input, "-o", fromGlz.path, "--gazetteer", glz, "--no-default-gazetteer", "--no-default-patterns", "--quiet"])
        #expect(r.status == 0, "\(r.err)")
        #expect(try Self.entities(fromGlz) == expected)

        // The TSV source directly: compiled in memory, smart case by default. Without
        // --drop-common-words, "And" still never matches the lowercase "and" (smart case), but the
        // lowercase alias "the" matches "the".
        let fromTsv = dir.appendingPathComponent("b.jsonl")
        let r2 = try CLI.run(["annotate", input, "-o", fromTsv.path, "--gazetteer", dir.appendingPathComponent("places.tsv").path,
                              "--no-default-gazetteer", "--no-default-patterns", "--quiet"])
        #expect(r2.status == 0, "\(r2.err)")
        #expect(try Self.entities(fromTsv) == expected + ["the/GPE/GeoNames:0000002"])

        // --case exact on a source: "NEW YORK CITY" no longer matches.
        let exact = dir.appendingPathComponent("c.jsonl")
        let r3 = try CLI.run(["annotate", input, "-o", exact.path, "--gazetteer", dir.appendingPathComponent("places.tsv").path,
                              "--case", "exact", "--no-default-gazetteer", "--no-default-patterns", "--quiet"])
        #expect(r3.status == 0, "\(r3.err)")
        #expect(try Self.entities(exact) == ["Georgia/GPE/ISO3166-1:GE", "Zürich/GPE/GeoNames:2657896", "the/GPE/GeoNames:0000002"])

        // --gazetteer adds to the default gazetteer: a name only the user's file has, and every
        // entity of the default, are both found.
        let mine = dir.appendingPathComponent("mine.tsv")
        try "the rest\tMISC\tX:1\n".write(to: mine, atomically: true, encoding: .utf8)
        let added = dir.appendingPathComponent("d.jsonl"), defaultOnly = dir.appendingPathComponent("e.jsonl")
        #expect(try CLI.run(["annotate", input, "-o", added.path, "--gazetteer", mine.path, "--no-default-patterns", "--quiet"]).status == 0)
        #expect(try CLI.run(["annotate", input, "-o", defaultOnly.path, "--no-default-patterns", "--quiet"]).status == 0)
        let theirs = try Self.entities(defaultOnly)
        #expect(!theirs.isEmpty)
        #expect(try Self.entities(added) == theirs + ["the rest/MISC/X:1"])
    }

    @Test(arguments: ["truncated", "magic", "version", "flipped", "empty"])
    func corruptCompiledFileIsAClearErrorAndNothingIsWritten(damage: String) throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let glz = dir.appendingPathComponent("places.glz")
        #expect(try CLI.run(["compile", dir.appendingPathComponent("places.tsv").path, "-o", glz.path, "--quiet"]).status == 0)
        var bytes = [UInt8](try Data(contentsOf: glz))
        let reason: String
        switch damage {
        case "truncated": bytes.removeLast(100); reason = "truncated"
        case "magic": bytes[0] = UInt8(ascii: "X"); reason = "wrong magic bytes"
        case "version": bytes[8] = 99; reason = "format version 99"
        case "flipped": bytes[bytes.count / 2] ^= 0x40; reason = "checksum"
        default: bytes = []; reason = "empty file"
        }
        try Data(bytes).write(to: glz)
        let output = dir.appendingPathComponent("out.jsonl")
        let r = try CLI.run(["annotate", dir.appendingPathComponent("input.jsonl").path, "-o", output.path, "--gazetteer", glz.path])
        #expect(r.status == 2, "\(damage): status \(r.status), \(r.err)")
        #expect(r.err.hasPrefix("glean: \(glz.path): "), "\(r.err)")
        #expect(r.err.contains(reason), "\(damage): \(r.err)")
        #expect(!FileManager.default.fileExists(atPath: output.path), "\(damage): an output file was written")
        // The inspection commands fail the same way.
        let info = try CLI.run(["gazetteer", "info", glz.path])
        #expect(info.status == 2 && info.err.contains(reason), "\(info.err)")
    }
}

import Foundation
import Glean
import GleanTestSupport
import Testing

/// `glean stats`' aggregation against counts made here from the JSON itself.
struct StatsTests {
    static let labels = ["GPE", "DATE", "PERSON", "<ORG>"]
    static let sources = ["pattern", "gazetteer"]
    static let words = ["Paris", "Rome", "東京", "Zürich", "Monday", "\"quoted\""]

    /// Random annotated records (entities over whole words), with error records, blank
    /// entities and warnings mixed in.
    static func corpus(_ rng: inout TestRandom) -> [String] {
        var lines: [String] = []
        for i in 0..<300 {
            if i % 37 == 5 {
                lines.append(#"{"source":"in.jsonl","line":\#(i),"offset":0,"reason":"no \"text\" field"}"#)
                continue
            }
            var text = "", ents: [[String: Any]] = []
            var length = 0
            for _ in 0..<Int.random(in: 0..<12, using: &rng) {
                let w = words.randomElement(using: &rng)!
                if !text.isEmpty { text += " "; length += 1 }
                if Bool.random(using: &rng) {
                    ents.append(["start": length, "end": length + w.unicodeScalars.count, "label": labels.randomElement(using: &rng)!,
                                 "kb_id": "", "source": sources.randomElement(using: &rng)!, "name": "n"])
                }
                text += w
                length += w.unicodeScalars.count
            }
            var record: [String: Any] = ["id": "r\(i)", "text": text, "ents": ents]
            if i % 3 != 0 { record["tokens"] = (0..<Int.random(in: 0..<20, using: &rng)).map { ["id": $0] } }
            if i % 4 != 0 { record["sents"] = (0..<Int.random(in: 1..<4, using: &rng)).map { _ in ["start": 0, "end": 0] } }
            if i % 11 == 0 { record["warnings"] = [["stage": "decode", "reason": "x"], ["stage": "render", "reason": "y"]] }
            lines.append(String(decoding: try! JSONSerialization.data(withJSONObject: record), as: UTF8.self))
        }
        return lines
    }

    @Test func countsMatchAnIndependentCount() throws {
        var rng = TestRandom("StatsTests.countsMatchAnIndependentCount")
        let lines = Self.corpus(&rng)
        var stats = CorpusStatistics()
        for line in lines { stats.add(try AnnotatedRecord(json: line)) }

        // The reference: straight from the JSON objects.
        var documents = 0, tokens = 0, sentences = 0, entities = 0, withWarnings = 0, errors = 0
        var byLabel: [String: Int] = [:], bySource: [String: Int] = [:], texts: [String: [String: Int]] = [:]
        for line in lines {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            guard let text = o["text"] as? String else { errors += 1; continue }
            documents += 1
            tokens += (o["tokens"] as? [Any])?.count ?? 0
            sentences += (o["sents"] as? [Any])?.count ?? 0
            if !((o["warnings"] as? [Any]) ?? []).isEmpty { withWarnings += 1 }
            let scalars = Array(text.unicodeScalars)
            for e in o["ents"] as! [[String: Any]] {
                entities += 1
                let label = e["label"] as! String
                byLabel[label, default: 0] += 1
                bySource[e["source"] as! String, default: 0] += 1
                var s = String.UnicodeScalarView()
                s.append(contentsOf: scalars[(e["start"] as! Int)..<(e["end"] as! Int)])
                texts[label, default: [:]][String(s), default: 0] += 1
            }
        }
        #expect(stats.documents == documents)
        #expect(stats.tokens == tokens)
        #expect(stats.sentences == sentences)
        #expect(stats.entities == entities)
        #expect(stats.entitiesByLabel == byLabel)
        #expect(stats.entitiesBySource == bySource)
        #expect(stats.documentsWithWarnings == withWarnings)
        #expect(stats.errors == errors)
        #expect(stats.entityTexts == texts)
        for (label, counts) in texts {
            let top = stats.top(3)[label]!
            #expect(top.count == min(3, counts.count))
            // Most frequent first, and nothing left out is more frequent than the last shown.
            #expect(top.map(\.count) == top.map(\.count).sorted(by: >))
            let shown = Set(top.map(\.text))
            #expect(counts.filter { !shown.contains($0.key) }.allSatisfy { $0.value <= top.last!.count })
            for t in top { #expect(counts[t.text] == t.count) }
        }

        // The JSON form says the same, in one document.
        let json = try JSONSerialization.jsonObject(with: Data(stats.json(top: 3).utf8)) as! [String: Any]
        #expect(json["documents"] as? Int == documents)
        #expect(json["entities_by_label"] as? [String: Int] == byLabel)
        #expect(json["errors"] as? Int == errors)
        #expect(stats.table(top: 3).contains("<ORG>"))
    }

    @Test func errorsFileLinesCount() {
        var stats = CorpusStatistics()
        stats.addErrors(Data("{\"reason\":\"a\"}\n\n{\"reason\":\"b\"}\n{\"reason\":\"c\"}".utf8))
        #expect(stats.errors == 3)
    }

    @Test func statsOfAFileReadsTheErrorsFileBesideIt() throws {
        let scratch = Scratch("stats")
        let out = scratch.write("out.jsonl", #"{"text":"In Paris.","ents":[{"start":3,"end":8,"label":"GPE","source":"gazetteer","alias":"Paris"}]}"# + "\nnot json\n")
        scratch.write("out.errors.jsonl", "{\"reason\":\"x\"}\n{\"reason\":\"y\"}\n")
        var unreadable: [Int] = []
        let stats = try CorpusStatistics.of(path: out, onUnreadable: { line, _ in unreadable.append(line) })
        #expect(stats.documents == 1 && stats.errors == 2 && stats.unreadableLines == 1 && unreadable == [2])
        #expect(stats.top(1)["GPE"]?.first?.text == "Paris")
    }
}

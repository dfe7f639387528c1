import Foundation
import GleanCore
import Testing
import GleanTestSupport
@testable import GleanGazetteer

@Suite struct CompiledFileTests {
    static func compiled() throws -> [UInt8] {
        let tokenize = try makeTokenizer()
        let list = try entries("New York\tGPE\t5128581\nSydney\tGPE\t2147714\nGeorgia\tGPE\t614540\nGeorgia\tGPE\t4197000\nEuro\tMONEY\tEUR")
        return try GazetteerCompiler.compile(list, options: GazetteerCompileOptions(), tokenize: tokenize).image
    }

    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "glean-test-\(UUID().uuidString).glz"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func loadError(_ bytes: [UInt8]) throws -> String? {
        let path = try temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let g = try Gazetteer.load(path: path)
            _ = g.info
            return nil
        } catch let error as GazetteerFileError {
            return error.reason
        }
    }

    @Test func roundTripThroughAFile() throws {
        let bytes = try Self.compiled()
        let path = try Self.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let g = try Gazetteer.load(path: path)
        let tokenize = try makeTokenizer()
        var doc = Document("From Sydney to New York via Georgia.")
        try tokenize(&doc)
        var spans: [Span] = []
        g.findMatches(in: doc, into: &spans)
        #expect(render(spans, in: doc) == ["Sydney/GPE/2147714/Sydney", "New York/GPE/5128581/New York",
                                           "Georgia/GPE/614540,4197000/Georgia"])
        let info = g.info
        #expect(info.entries == 5 && info.names == 4 && info.bytes == bytes.count)
        #expect(info.folding == TextFolding(caseMode: .smart))
        #expect(info.entriesPerLabel.map { "\($0.label)=\($0.count)" } == ["GPE=4", "MONEY=1"])
    }

    @Test func truncated() throws {
        let bytes = try Self.compiled()
        for length in [0, 1, 7, 8, 64, 127, 128, 129, bytes.count / 2, bytes.count - 1] {
            let reason = try Self.loadError(Array(bytes[0..<length]))
            #expect(reason != nil, "length \(length)")
            if length >= 128 { #expect(reason?.contains("truncated") == true, "length \(length): \(reason ?? "")") }
        }
    }

    @Test func wrongMagic() throws {
        var bytes = try Self.compiled()
        bytes[0] = UInt8(ascii: "X")
        #expect(try Self.loadError(bytes)?.contains("magic") == true)
        #expect(try Self.loadError(Array("{\"label\": \"GPE\", \"pattern\": \"Paris\"}\n".utf8) + [UInt8](repeating: 32, count: 200))?.contains("magic") == true)
    }

    @Test func wrongVersion() throws {
        var bytes = try Self.compiled()
        bytes[8] = 2
        #expect(try Self.loadError(bytes)?.contains("version 2") == true)
    }

    @Test func everyFlippedByteIsCaught() throws {
        let bytes = try Self.compiled()
        for position in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) {
            var damaged = bytes
            damaged[position] ^= 0x5A
            #expect(try Self.loadError(damaged) != nil, "byte \(position) of \(bytes.count)")
        }
    }

    /// Without the checksum, a damaged image may give wrong matches but must never crash.
    @Test func damagedImageWithoutChecksumDoesNotCrash() throws {
        let bytes = try Self.compiled()
        let tokenize = try makeTokenizer()
        var doc = Document("Sydney, New York, Georgia and the Euro in New York City")
        try tokenize(&doc)
        var rng = TestRandom("GleanGazetteerTests.damagedImageWithoutChecksumDoesNotCrash")
        for _ in 0..<400 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let position = Int.random(in: GLZ.headerSize..<damaged.count, using: &rng)
                damaged[position] = UInt8.random(in: 0...255, using: &rng)
            }
            guard let g = try? Gazetteer(image: damaged, verifyChecksum: false) else { continue }
            var spans: [Span] = []
            g.findMatches(in: doc, into: &spans)
            _ = g.info
            for s in spans { #expect(s.start >= 0 && s.end <= doc.text.count) }
        }
    }
}

@Suite struct SourceTests {
    @Test func tsv() throws {
        let text = "# comment\n\nNew York\tGPE\t5128581\r\nSydney\tGPE\n"
        #expect(try GazetteerSources.parseTSV(Array(text.utf8), file: "a.tsv") == [
            GazetteerEntry(name: "New York", label: "GPE", kbId: "5128581"),
            GazetteerEntry(name: "Sydney", label: "GPE"),
        ])
    }

    @Test func tsvErrorsNameFileAndLine() throws {
        #expect(throws: GazetteerSourceError(file: "a.tsv", line: 2, reason: "expected name<TAB>label[<TAB>kb_id], found 1 field(s)")) {
            try GazetteerSources.parseTSV(Array("Paris\tGPE\nLondon\n".utf8), file: "a.tsv")
        }
        #expect(throws: GazetteerSourceError(file: "a.tsv", line: 1, reason: "empty label")) {
            try GazetteerSources.parseTSV(Array("Paris\t\n".utf8), file: "a.tsv")
        }
        #expect(throws: GazetteerSourceError(file: "a.tsv", line: 2, reason: "invalid UTF-8")) {
            try GazetteerSources.parseTSV(Array("Paris\tGPE\n".utf8) + [0xFF, 9, 65], file: "a.tsv")
        }
    }

    @Test func entityRulerPatterns() throws {
        let text = """
        {"label": "GPE", "pattern": "San Francisco", "id": "Q62"}
        {"label": "GPE", "pattern": [{"LOWER": "New"}, {"ORTH": "York"}]}

        {"label": "ORG", "pattern": "Acme", "id": 7}
        """
        #expect(try GazetteerSources.parsePatterns(Array(text.utf8), file: "p.jsonl") == [
            GazetteerEntry(name: "San Francisco", label: "GPE", kbId: "Q62"),
            GazetteerEntry(name: "new York", label: "GPE", tokens: ["new", "York"]),
            GazetteerEntry(name: "Acme", label: "ORG", kbId: "7"),
        ])
    }

    @Test(arguments: [
        (#"{"label": "GPE", "pattern": [{"POS": "PROPN"}]}"#, #"token 1: unsupported attribute "POS" (only ORTH and LOWER are accepted)"#),
        (#"{"label": "GPE", "pattern": [{"LOWER": "a", "OP": "+"}]}"#, "token 1: each token must be an object with exactly one of ORTH or LOWER"),
        (#"{"pattern": "Paris"}"#, #"missing or empty "label""#),
        (#"{"label": "GPE", "pattern": "Paris", "extra": 1}"#, #"unsupported key "extra" (only label, pattern and id are accepted)"#),
        (#"{"label": "GPE", "pattern": 5}"#, #""pattern" must be a string or a list of tokens"#),
        (#"{"label": "GPE", "pattern": "Paris""#, "not valid JSON"),
    ])
    func rejectedPatterns(line: String, reason: String) throws {
        let text = #"{"label": "GPE", "pattern": "Rome"}"# + "\n" + line + "\n"
        #expect(throws: GazetteerSourceError(file: "p.jsonl", line: 2, reason: reason)) {
            try GazetteerSources.parsePatterns(Array(text.utf8), file: "p.jsonl")
        }
    }

    @Test func tokenListPatternsMatch() throws {
        let tokenize = try makeTokenizer()
        let list = try GazetteerSources.parsePatterns(Array(#"{"label": "GPE", "pattern": [{"LOWER": "new"}, {"LOWER": "york"}], "id": "NY"}"#.utf8), file: "p.jsonl")
        let (g, _) = try Gazetteer.compile(list, tokenize: tokenize)
        var doc = Document("NEW YORK and new york")
        try tokenize(&doc)
        var spans: [Span] = []
        g.findMatches(in: doc, into: &spans)
        #expect(render(spans, in: doc) == ["NEW YORK/GPE/NY/new york", "new york/GPE/NY/new york"])
    }

    @Test func commonWords() throws {
        let words = try CommonWords()
        for w in ["And", "and", "Most", "the", "To", "Aid", "FROM", "union"] { #expect(words.isCommon(w), "\(w)") }
        for w in ["Nice", "Reading", "Mobile", "Sydney", "New York", "Paris", "Union"] { #expect(!words.isCommon(w), "\(w)") }
        let tokenize = try makeTokenizer()
        let (g, report) = try Gazetteer.compile(try entries("And\tGPE\nNice\tGPE\nthe\tGPE\nSydney\tGPE"),
                                                options: GazetteerCompileOptions(commonWords: words), tokenize: tokenize)
        #expect(report.dropped.map(\.entry.name) == ["And", "the"])
        #expect(report.dropped.allSatisfy { $0.reason == .commonWord })
        #expect(g.info.entries == 2)
    }
}

import GleanCore
import Testing
@testable import GleanSegment

/// The token layer: whitespace shaping, clitics, kinds, sentences.
struct TokenizerTests {
    static func tokens(_ text: String, lang: String = "en") throws -> [String] {
        var doc = Document(text, lang: lang)
        try Segmenter().segment(&doc)
        return doc.tokens.map { doc.string($0.start, $0.end) }
    }

    /// (text, expected tokens) — whitespace tokens included, a single trailing space excluded.
    static let table: [(String, [String])] = [
        ("Sydney's west.  Hi\nthere", ["Sydney", "'s", "west", ".", " ", "Hi", "\n", "there"]),
        ("don't", ["do", "n't"]),
        ("DON'T stop", ["DO", "N'T", "stop"]),
        ("We’re here and they’ll go", ["We", "’re", "here", "and", "they", "’ll", "go"]),
        ("I'm, you've, he'd", ["I", "'m", ",", "you", "'ve", ",", "he", "'d"]),
        ("can't won’t", ["ca", "n't", "wo", "n’t"]),
        ("'s n't", ["'", "s", "n't"]),
        ("b  \t c", ["b", " \t ", "c"]),
        ("  lead", ["  ", "lead"]),
        ("trail  ", ["trail", " "]),
        ("a\r\nb", ["a", "\r\n", "b"]),
        ("x\u{00A0}y", ["x", "\u{00A0}", "y"]),
        ("a \u{00A0}b", ["a", "\u{00A0}", "b"]),
        ("zero\u{200B}width", ["zero", "\u{200B}", "width"]),
        ("12:30pm costs $3.14", ["12", ":", "30pm", "costs", "$", "3.14"]),
        ("", []),
        ("\n", ["\n"]),
        ("Sydney's", ["Sydney", "'s"]),
    ]

    @Test(arguments: table)
    func tokenTable(text: String, expected: [String]) throws {
        let got = try Self.tokens(text)
        #expect(got == expected, "got \(got)")
    }

    @Test func noCliticSplitOutsideEnglish() throws {
        #expect(try Self.tokens("l'homme don't", lang: "fr") == ["l'homme", "don't"])
    }

    @Test func kinds() throws {
        var doc = Document("Hi, 42 東京 カタカナ 👍🏽 + x")
        try Segmenter().segment(&doc)
        let kinds = doc.tokens.map(\.kind)
        #expect(kinds == [.word, .punct, .number, .ideographic, .kana, .symbol, .symbol, .word])
    }

    /// (text, expected sentences): ICU's suppressions plus the English titles CLDR lacks.
    static let sentenceTable: [(String, [String])] = [
        ("Dr. Smith met Mr. Jones. Then they left.", ["Dr. Smith met Mr. Jones.", "Then they left."]),
        ("The St. Louis Blues won. Lt. Gen. Harper said no.", ["The St. Louis Blues won.", "Lt. Gen. Harper said no."]),
        ("He saw the Dr. then left.", ["He saw the Dr. then left."]),
        ("Ask the Dr. She knows.", ["Ask the Dr. She knows."]),
        ("Call me at 9 a.m. tomorrow.", ["Call me at 9 a.m. tomorrow."]),
    ]

    @Test(arguments: sentenceTable)
    func sentenceTable(text: String, expected: [String]) throws {
        var doc = Document(text)
        try Segmenter().segment(&doc)
        #expect(doc.sentences.map { doc.string($0.start, $0.end) } == expected)
    }

    @Test func sentencesRunFromFirstTokenToLastToken() throws {
        var doc = Document("Top. A new day.\n\nMr. Smith left. Then")
        try Segmenter().segment(&doc)
        let sentences = doc.sentences.map { doc.string($0.start, $0.end) }
        #expect(sentences == ["Top.", "A new day.\n\n", "Mr. Smith left.", "Then"])
        // Sentences partition the tokens.
        var next = 0
        for s in doc.sentences {
            #expect(s.firstToken == next)
            next = s.endToken
        }
        #expect(next == doc.tokens.count)
    }
}

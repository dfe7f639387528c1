import GleanCore
import GleanTestSupport
import Testing
@testable import GleanSegment

/// Tokens plus whitespace rebuild every text exactly, and the whitespace convention holds, on
/// real multilingual text and on naughty strings.
struct LosslessTests {
    static let naughty: [String] = [
        "👩🏽‍💻 and 👨‍👩‍👧‍👦 with 🏳️‍🌈 flags 🇦🇺",
        "e\u{0301}\u{0302} combining, Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
        "RTL שָׁלוֹם עליכם and مرحبا بالعالم \u{202E}reversed\u{202C}",
        "NUL \u{0} inside, BOM \u{FEFF} inside, DEL \u{7F}",
        "CRLF\r\nlines\r\nand a lone CR\rhere",
        "\u{FFFD} replacement, \u{200B}zero width\u{200D}joiner",
        "odd spaces:\u{00A0}\u{2003}\u{3000}\u{2028}\u{2029}\u{0085}\u{001C}\u{001F}|\u{1680}|\u{202F}|\u{205F}",
        "  leading and trailing  ",
        "\n\n\nonly after newlines",
        "tab\tseparated\t\tvalues\t",
        "東京都の人口は約1400万人です。次の文。",
        "Москва — столица России. Второе предложение!",
        "Straße, Äpfel und Öl kosten 3,50 €.",
        "x", " ", "\t", "", "''''", "n't's'll",
    ]

    /// The invariants spaCy's Doc.from_json relies on.
    static func check(_ text: [UInt8], _ tokens: [Token], _ sentences: [Sentence]) -> String? {
        var rebuilt: [UInt8] = []
        var position = 0
        for (i, t) in tokens.enumerated() {
            guard t.start < t.end else { return "empty token \(i)" }
            if t.start != position {
                // The only gap allowed: one U+0020 right after a non-space token.
                guard t.start == position + 1, text[position] == 0x20, i > 0, tokens[i - 1].kind != .space else {
                    return "gap before token \(i) at \(position)"
                }
                rebuilt.append(0x20)
            }
            let piece = Array(text[t.start..<t.end])
            let scalars = String(decoding: piece, as: UTF8.self).unicodeScalars.map { Whitespace.contains($0.value) }
            if t.kind == .space {
                guard scalars.allSatisfy({ $0 }) else { return "space token \(i) holds non-space" }
                if i > 0, tokens[i - 1].kind == .space { return "two space tokens in a row at \(i)" }
            } else if scalars.contains(true) {
                return "token \(i) holds whitespace"
            }
            rebuilt.append(contentsOf: piece)
            position = t.end
        }
        if position != text.count {
            guard position + 1 == text.count, text[position] == 0x20, let last = tokens.last, last.kind != .space else {
                return "text not covered after \(position)"
            }
            rebuilt.append(0x20)
        }
        guard rebuilt == text else { return "tokens do not rebuild the text" }
        var next = 0
        for s in sentences {
            guard s.firstToken == next, s.endToken > s.firstToken,
                  s.start == tokens[s.firstToken].start, s.end == tokens[s.endToken - 1].end else { return "bad sentence \(s)" }
            next = s.endToken
        }
        guard next == tokens.count else { return "sentences leave tokens out" }
        return nil
    }

    @Test(arguments: naughty)
    func naughtyStrings(text: String) throws {
        var doc = Document(text)
        try Segmenter().segment(&doc)
        #expect(Self.check(doc.text, doc.tokens, doc.sentences) == nil, "\(text.debugDescription): \(Self.check(doc.text, doc.tokens, doc.sentences) ?? "")")
    }

    @Test func realMultilingualText() throws {
        let segmenter = try Segmenter()
        let texts = try CorpusTexts.load()
        #expect(texts.count > 40)
        for text in texts {
            var doc = Document(text: text)
            try segmenter.segment(&doc)
            let problem = Self.check(doc.text, doc.tokens, doc.sentences)
            #expect(problem == nil, "\(problem ?? ""): \(String(decoding: text.prefix(80), as: UTF8.self))")
        }
    }

    @Test func wordBoundariesAreICUsBeforeTheCliticSplit() throws {
        // Every ICU boundary between two non-whitespace characters is a token boundary, and every
        // token boundary is an ICU boundary, a clitic split, or a whitespace edge.
        let segmenter = try Segmenter()
        segmenter.fastASCII = false
        for text in try CorpusTexts.load(limitPerFile: 100) {
            var doc = Document(text: text, lang: "xx")  // no clitic rules
            try segmenter.segment(&doc)
            let icu = Set(try segmenter.wordBoundaries(text, lang: "xx"))
            let edges = Set(doc.tokens.flatMap { [$0.start, $0.end] })
            func touchesWhitespace(_ b: Int) -> Bool {
                let before = String(decoding: text[..<b], as: UTF8.self).unicodeScalars.last
                let after = String(decoding: text[b...], as: UTF8.self).unicodeScalars.first
                return before.map { Whitespace.contains($0.value) } ?? false || after.map { Whitespace.contains($0.value) } ?? false
            }
            for b in icu where b > 0 && b < text.count && !edges.contains(b) {
                // Allowed only inside whitespace (a run merged into one token, or a trailing space).
                #expect(touchesWhitespace(b), "ICU boundary \(b) lost")
            }
            for e in edges.subtracting(icu) {
                #expect(touchesWhitespace(e), "token edge \(e) is neither ICU's nor at whitespace")
            }
        }
    }
}

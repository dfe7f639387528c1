import GleanCore
import GleanTestSupport
import Testing
@testable import GleanSegment

/// The segmenter's sentences against a reference built here, token by token, from ICU's own
/// sentence boundaries over the whole text; and a segmenter reused across documents of changing
/// languages against a fresh one per document (what it keeps per language must follow the
/// document's language).
struct SentenceAssemblyTests {
    /// Sentences the plain way: each ICU boundary closes the tokens that start before it, one at a
    /// time; a sentence of whitespace only joins the next, and so does one the rules keep together.
    static func reference(_ text: [UInt8], _ tokens: [Token], boundaries: [Int], rules: SentenceRules) -> [Sentence] {
        var sentences: [Sentence] = []
        var t = 0
        var lastHasText = false
        text.withUnsafeBufferPointer { buffer in
            for end in boundaries.dropFirst() {
                let first = t
                var hasText = false
                while t < tokens.count, tokens[t].start < end {
                    if tokens[t].kind != .space { hasText = true }
                    t += 1
                }
                guard t > first else { continue }
                if let last = sentences.last,
                   !lastHasText || rules.keepsTogether(buffer, tokens, endingAt: last.endToken, nextFirst: first) {
                    sentences[sentences.count - 1] = Sentence(start: last.start, end: tokens[t - 1].end,
                                                              firstToken: last.firstToken, endToken: t)
                    lastHasText = lastHasText || hasText
                } else {
                    sentences.append(Sentence(start: tokens[first].start, end: tokens[t - 1].end, firstToken: first, endToken: t))
                    lastHasText = hasText
                }
            }
        }
        if t < tokens.count, let last = sentences.last {
            sentences[sentences.count - 1] = Sentence(start: last.start, end: tokens[tokens.count - 1].end,
                                                      firstToken: last.firstToken, endToken: tokens.count)
        }
        return sentences
    }

    /// Texts with whitespace-only sentences, titles before names, long sentences of spaces and
    /// letters, and none at all.
    static let crafted: [String] = [
        "", " ", "\n\n", "\n\nHello there. How are you?", "Dr. Smith left. Then he came back.", "Dr. smith left.",
        "A.  B.   C.\n\n\nD", "Hi!\n \n \nBye.", "Mr. and Mrs. Smith. St. Louis. Gen. Lee won.", "…", "x. y. z.",
        "Привет. Как дела?\n\t\t-- Автор", "Er sagte: \"Nein.\" Dann ging er.  Und kam nie wieder.",
        String(repeating: "word ", count: 300) + ". " + String(repeating: " ", count: 100) + "End.",
    ]

    @Test(arguments: ["en", "de", "ru", "el", "zh"])
    func sentencesMatchTheReference(lang: String) throws {
        let segmenter = try Segmenter()
        var texts = Self.crafted.map { Array($0.utf8) }
        texts += try CorpusTexts.load(limitPerFile: 150)
        var rng = TestRandom("SentenceAssemblyTests.\(lang)")
        for _ in 0..<2_000 {
            let length = Int(rng.next() % 24)
            let alphabet = SentenceFastPathTests.alphabet
            texts.append(Array((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined().utf8))
        }
        let rules = SentenceRules.forLanguage(lang)
        for fast in [true, false] {
            segmenter.fastSentences = fast
            for text in texts {
                var doc = Document(text: text, lang: lang)
                try segmenter.segment(&doc)
                let boundaries = try segmenter.sentenceBoundaries(text, lang: lang)
                let expected = Self.reference(text, doc.tokens, boundaries: boundaries, rules: rules)
                #expect(doc.sentences == expected, "\(lang) fast \(fast): \(String(decoding: text, as: UTF8.self).debugDescription)")
                if doc.sentences != expected { return }
            }
        }
    }

    /// One segmenter for documents whose languages change from one to the next gives what a
    /// fresh segmenter gives each: clitics (English only), title rules, Greek's sentence rules
    /// and the fast paths all follow the document's language.
    @Test func languagesChangingBetweenDocuments() throws {
        let texts = ["Don't go. Dr. Smith said so; really?", "Sydney's west. Mt. Everest is high.",
                     "Καλημέρα; Τι κάνεις; Καλά.", "Он не пришёл. Dr. Brown тоже.", "中文句子。第二句！"]
        let langs = ["en", "de", "el", "ru", "zh", "en-GB", "EN", "x*y", "en"]
        let shared = try Segmenter()
        var checked = 0
        for round in 0..<3 {
            for (k, lang) in langs.enumerated() {
                let text = Array(texts[(k + round) % texts.count].utf8)
                var reused = Document(text: text, lang: lang)
                try shared.segment(&reused)
                var fresh = Document(text: text, lang: lang)
                try Segmenter().segment(&fresh)
                #expect(reused.tokens == fresh.tokens, "\(lang): \(String(decoding: text, as: UTF8.self))")
                #expect(reused.sentences == fresh.sentences, "\(lang): \(String(decoding: text, as: UTF8.self))")
                checked += 1
            }
        }
        #expect(checked == 27)
        // And the rules differ where they should: English splits the clitic, German does not.
        var en = Document("Don't", lang: "en"), de = Document("Don't", lang: "de")
        try shared.segment(&en)
        try shared.segment(&de)
        #expect(en.tokens.count == 2 && de.tokens.count == 1)
    }

    /// A sentence array handed out is the document's own: segmenting the next document does not
    /// change it (the segmenter reuses its scratch storage).
    @Test func sentencesSurviveTheNextDocument() throws {
        let segmenter = try Segmenter()
        var first = Document("One. Two. Three.", lang: "en")
        try segmenter.segment(&first)
        let kept = first.sentences
        #expect(kept.count == 3)
        var second = Document("Four! Five? Six. Seven. Eight.", lang: "en")
        try segmenter.segment(&second)
        #expect(second.sentences.count == 5)
        #expect(first.sentences == kept && kept.map(\.start) == [0, 5, 10])
    }
}

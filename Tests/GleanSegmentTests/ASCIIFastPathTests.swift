import GleanCore
import GleanTestSupport
import Testing
@testable import GleanSegment

/// The ASCII fast path against ICU itself: identical segment ends and rule statuses.
struct ASCIIFastPathTests {
    /// Characters weighted towards the ones the rules treat specially.
    static let alphabet: [UInt8] = Array("aaaaZZbq@@__09999...'',,;;::  \t\r\n\n\u{0B}\u{0C}-$%#/!?()\"&x".utf8)

    @Test func randomStringsMatchICU() throws {
        var rng = TestRandom("ASCIIFastPathTests.randomStringsMatchICU")
        let seed = rng.label
        let segmenter = try Segmenter()
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 24)
            let text = (0..<length).map { _ in Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))] }
            let icu = try segmenter.wordSegments(text, fastPath: false)
            let fast = try segmenter.wordSegments(text, fastPath: true)
            let same = icu.map(\.end) == fast.map(\.end) && icu.map(\.status) == fast.map(\.status)
            #expect(same, "seed \(seed): \(String(decoding: text, as: UTF8.self).debugDescription): ICU \(icu) fast \(fast)")
            if !same { return }
        }
    }

    @Test func realTextMatchesICU() throws {
        let segmenter = try Segmenter()
        let texts = try CorpusTexts.load().filter { $0.allSatisfy { $0 < 0x80 } }
        #expect(texts.count >= 20, "too few ASCII documents in the corpora")
        for text in texts {
            let icu = try segmenter.wordSegments(text, fastPath: false)
            let fast = try segmenter.wordSegments(text, fastPath: true)
            #expect(icu.map(\.end) == fast.map(\.end))
            #expect(icu.map(\.status) == fast.map(\.status))
        }
    }

    /// The one-loop ASCII tokenizer (``ASCIIWordBreak/tokens(_:clitics:into:)``) against tokens
    /// and sentences built from ICU's segments, on random ASCII strings with clitics and titles.
    @Test func randomTokensMatchTheICUPath() throws {
        var rng = TestRandom("ASCIIFastPathTests.randomTokensMatchTheICUPath")
        let seed = rng.label
        let fast = try Segmenter()
        let slow = try Segmenter()
        slow.fastASCII = false
        slow.fastSentences = false
        let pool = Self.alphabet.map { String(UnicodeScalar($0)) }
            + ["n't", "'s", "'S", "don't", "I'm", "we'LL", ". ", "Dr. ", "A", "  ", "\r\n", "1.5", "_1", "a_", "\u{1C}"]
        for lang in ["en", "de"] {
            for _ in 0..<5_000 {
                let length = Int(rng.next() % 24)
                let text = Array((0..<length).map { _ in pool[Int(rng.next() % UInt64(pool.count))] }.joined().utf8)
                var a = Document(text: text, lang: lang), b = Document(text: text, lang: lang)
                try fast.segment(&a)
                try slow.segment(&b)
                let same = a.tokens == b.tokens && a.sentences == b.sentences
                #expect(same, "seed \(seed), \(lang): \(String(decoding: text, as: UTF8.self).debugDescription)")
                if !same { return }
            }
        }
    }

    @Test func tokensAreTheSameWithAndWithoutTheFastPath() throws {
        let fast = try Segmenter()
        let slow = try Segmenter()
        slow.fastASCII = false
        slow.fastSentences = false
        for text in try CorpusTexts.load() {
            var a = Document(text: text), b = Document(text: text)
            try fast.segment(&a)
            try slow.segment(&b)
            #expect(a.tokens == b.tokens)
            #expect(a.sentences == b.sentences)
        }
    }
}


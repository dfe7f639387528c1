import CICUShim
import GleanCore
import GleanTestSupport
import Testing
@testable import GleanSegment

/// The alphabetic word fast path (Latin with diacritics, Greek, Cyrillic ...) against ICU itself:
/// identical segment ends and rule statuses wherever it accepts a text, and a hand-over to ICU
/// wherever it does not.
struct AlphabeticFastPathTests {
    /// Characters weighted towards the ones the rules treat specially: ASCII's, letters of the
    /// three scripts, MidLetter (U+00B7, U+0387), MidNumLet (U+2019, U+2024), ExtendNumLet
    /// (U+203F), WSegSpace (U+2009, U+3000 is not accepted), NBSP, NEL, U+2028, dashes, quotes,
    /// the euro sign, (c), a Latin Extended Additional letter, a Greek Extended one.
    static let alphabet: [String] = Array("aaZZ@_09999..'',,;;::  \t\r\n-$%!?()\"").map { String($0) }
        + ["é", "ß", "Ä", "ø", "ł", "Ж", "ё", "Я", "ї", "λ", "Ω", "ά", "·", "·", "·", "΄", "’", "’", "‘", "․", "‿",
           "\u{2009}", "\u{2009}", "\u{00A0}", "\u{0085}", "\u{2028}", "—", "–", "«", "»", "„", "“", "€", "©", "ạ",
           "ἀ", "¹", "½", "٣", "¿", "¡", "Ǆ", "ǅ", "ʼ", "ˈ", "№", "™", "\u{2007}", "\u{2060}"]

    @Test func randomStringsMatchICU() throws {
        var rng = TestRandom("AlphabeticFastPathTests.randomStringsMatchICU")
        let seed = rng.label
        let segmenter = try Segmenter()
        var accepted = 0
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 20)
            let text = Array((0..<length).map { _ in Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))] }.joined().utf8)
            let icu = try segmenter.icuWordSegments(text)
            guard let fast = segmenter.alphabeticWordSegments(text) else { continue }
            accepted += 1
            let same = icu.map(\.end) == fast.map(\.end) && icu.map(\.status) == fast.map(\.status)
            #expect(same, "seed \(seed): \(String(decoding: text, as: UTF8.self).debugDescription): ICU \(icu) fast \(fast)")
            if !same { return }
        }
        #expect(accepted > 10_000, "the fast path accepted only \(accepted) of 20000 strings")
    }

    /// Whole tokens and sentences (whitespace, clitics, kinds) with and without the fast paths.
    @Test func tokensMatchTheICUPath() throws {
        var rng = TestRandom("AlphabeticFastPathTests.tokensMatchTheICUPath")
        let seed = rng.label
        let fast = try Segmenter()
        let slow = try Segmenter()
        slow.fastASCII = false
        slow.fastSentences = false
        let extra = ["\u{202F}", "\u{1680}", "\u{2000}", "n’t", "’s", "'s", "don't", ". ", "Dr. ", "A"]
        for lang in ["en", "ru"] {
            for _ in 0..<5_000 {
                let length = Int(rng.next() % 20)
                let pool = Self.alphabet + extra
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

    /// Every code point the fast path accepts, between letters, digits, spaces and itself.
    @Test func everyAcceptedCharacterMatchesICU() throws {
        let segmenter = try Segmenter()
        var failures: [String] = []
        var accepted = 0
        let ranges: [ClosedRange<UInt32>] = [0x80...0x7FF, 0x1E00...0x218F]
        for c in ranges.joined() {
            guard AlphabeticWordBreak.accepts(c), let scalar = Unicode.Scalar(c) else { continue }
            accepted += 1
            let s = String(Character(scalar))
            for context in ["a\(s)b", "1\(s)2", "\(s)\(s)", " \(s) ", "a\(s)", "\(s)a", "x\(s)\(s)y", "a.\(s)", "1,\(s)", "\(s)_\(s)", "\u{2009}\(s)\u{2009}"] {
                let text = Array(context.utf8)
                let icu = try segmenter.icuWordSegments(text)
                guard let fast = segmenter.alphabeticWordSegments(text) else {
                    failures.append("U+\(String(c, radix: 16)): accepted alone, not in \(context.debugDescription)")
                    continue
                }
                if icu.map(\.end) != fast.map(\.end) || icu.map(\.status) != fast.map(\.status) {
                    failures.append("U+\(String(c, radix: 16)) in \(context.debugDescription): ICU \(icu) fast \(fast)")
                }
            }
        }
        #expect(accepted > 1500, "only \(accepted) accepted code points")
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(8).joined(separator: "; "))")
    }

    /// Characters it must hand to ICU: combining marks, format characters, Hebrew, CJK, emoji.
    @Test func complexCharactersGoToICU() throws {
        let segmenter = try Segmenter()
        for s in ["e\u{0301}", "a\u{200D}b", "a\u{00AD}b", "שלום", "中文", "カタカナ", "😀", "a\u{FE0F}", "ไทย", "\u{3000}"] {
            #expect(segmenter.alphabeticWordSegments(Array("Text \(s) here".utf8)) == nil, "\(s.debugDescription)")
        }
    }

    @Test func realTextMatchesICU() throws {
        let segmenter = try Segmenter()
        var accepted = 0
        for text in try CorpusTexts.load() where !text.allSatisfy({ $0 < 0x80 }) {
            guard let fast = segmenter.alphabeticWordSegments(text) else { continue }
            accepted += 1
            let icu = try segmenter.icuWordSegments(text)
            #expect(icu.map(\.end) == fast.map(\.end))
            #expect(icu.map(\.status) == fast.map(\.status))
        }
        #expect(accepted >= 20, "the fast path accepted only \(accepted) non-ASCII documents of the corpora")
    }
}

/// The sentence fast path (ICU only around candidate terminators) against ICU walking every
/// character: identical boundaries.
struct SentenceFastPathTests {
    static let alphabet: [String] = ["a", "b", "Z", "Mr", "Dr", "U", "S", "e", "g", "3", "5", " ", " ", " ", ".", ".", ".", "!",
                                     "?", "\n", "\r", "\r\n", ")", "\"", "'", "’", "”", "«", "»", ",", ";", ":", "-", "\t",
                                     "\u{0085}", "\u{2028}", "\u{2029}", "。", "？", "！", "؟", "।", "\u{0301}", "\u{00AD}",
                                     "\u{00A0}", "é", "É", "ж", "Ж", "中", "…", "‼", "1", "Inc", "etc", "vs", "i.e", "No", "...", "?!", "\u{0085}\n",
                                     // Parts of ICU's suppressions (en, de): "Ph.D.", "U.S.A.", "z. B.", "v. Chr.".
                                     "Ph", "D", "A", "z", "B", "v", "Chr", "Jan", "Capt", "Prof", "Mrs", "T", ". ", ". ", "(", "[", "]", "{", "}"]

    @Test func randomStringsMatchICU() throws {
        var rng = TestRandom("SentenceFastPathTests.randomStringsMatchICU")
        let seed = rng.label
        let segmenter = try Segmenter()
        for lang in ["en", "root", "de", "el"] {
            for _ in 0..<8_000 {
                let length = Int(rng.next() % 24)
                let text = Array((0..<length).map { _ in Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))] }.joined().utf8)
                let icu = try segmenter.sentenceBoundaries(text, lang: lang)
                let fast = try segmenter.fastSentenceBoundaries(text, lang: lang)
                // ICU reports the end of an empty text as a boundary; the fast path does not.
                let same = text.isEmpty ? fast == [0] : icu == fast
                #expect(same, "seed \(seed), \(lang): \(String(decoding: text, as: UTF8.self).debugDescription): ICU \(icu) fast \(fast)")
                if !same { return }
            }
        }
    }

    /// The tables built from ICU's ranges of Sentence_Break values hold, for every code point of
    /// the BMP, what ICU's property look-up per code point answers.
    @Test func sentenceTablesMatchICUPerCodePoint() {
        var mismatches: [UInt32] = []
        for c in UInt32(0)..<0x10000 {
            let flags = SentenceCandidates.flags[Int(c)]
            if Int32(flags) != glean_sentence_flags(c)
                || Int32(SentenceCandidates.bmp[Int(c)]) != glean_sentence_candidate(c)
                || Int32(SentenceCandidates.stops[Int(c)]) != glean_sentence_stop(c)
                || Int32(SentenceCandidates.cases[Int(c)]) != glean_sentence_case(c) {
                mismatches.append(c)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10).map { String($0, radix: 16) })")
        // Each kind is present: the table is not all zeros.
        #expect(SentenceCandidates.bmp[0x2E] == 1 && SentenceCandidates.cases[0x41] == 1 && SentenceCandidates.cases[0x0436] == 2)
    }

    @Test func realTextMatchesICU() throws {
        let segmenter = try Segmenter()
        let langs = ["en", "en", "zh", "ru", "de"]
        var checked = 0
        for (k, text) in try CorpusTexts.load().enumerated() where !text.isEmpty {
            let lang = langs[k % langs.count]
            #expect(try segmenter.sentenceBoundaries(text, lang: lang) == segmenter.fastSentenceBoundaries(text, lang: lang))
            checked += 1
        }
        #expect(checked >= 20)
    }

    @Test func conformanceFileMatchesICU() throws {
        let segmenter = try Segmenter()
        let cases = try ConformanceTests.cases("SentenceBreakTest.txt")
        #expect(cases.count > 400)
        for c in cases {
            for lang in ["root", "en"] {
                #expect(try segmenter.sentenceBoundaries(c.text, lang: lang) == segmenter.fastSentenceBoundaries(c.text, lang: lang),
                        "line \(c.line), \(lang)")
            }
        }
    }

    /// The suppression lists are ICU's own, and they send every suppressed abbreviation to ICU.
    @Test func suppressionListsAreICUs() throws {
        let en = SentenceSuppressions(locale: "en")
        #expect(en.abbreviations.contains("Mr.") && en.abbreviations.contains("Ph.D."), "\(en.abbreviations.prefix(10))")
        #expect(!SentenceSuppressions(locale: "de").abbreviations.isEmpty)
        #expect(SentenceSuppressions(locale: "root").abbreviations.isEmpty)
        for abbreviation in en.abbreviations {
            let text = Array("Met \(abbreviation) Smith".utf8)
            let dot = 4 + abbreviation.utf8.count - 1
            let found = text.withUnsafeBufferPointer { en.mightSuppress($0, endingAt: dot) }
            #expect(found, "\(abbreviation)")
        }
        let plain = Array("He left. Then".utf8)
        #expect(!plain.withUnsafeBufferPointer { en.mightSuppress($0, endingAt: 7) },
                "\(en.abbreviations.filter { "He left.".hasSuffix($0.split(separator: " ").last.map(String.init) ?? $0) })")
    }

    /// Every candidate code point ends a sentence where ICU says so, and nothing else does.
    @Test func candidatesAreICUsTerminators() throws {
        let segmenter = try Segmenter()
        for c: UInt32 in [0x2E, 0x21, 0x3F, 0x0A, 0x0D, 0x85, 0x2028, 0x2029, 0x3002, 0xFF1F, 0x061F, 0x0964, 0x203C] {
            #expect(SentenceCandidates.isCandidate(c), "U+\(String(c, radix: 16))")
        }
        for c: UInt32 in [0x41, 0x20, 0x2C, 0x3B, 0x22, 0x29, 0xA0, 0x2026, 0x4E2D] {
            #expect(!SentenceCandidates.isCandidate(c), "U+\(String(c, radix: 16))")
        }
        // The tables, built from one look-up per code point, agree with each property.
        for c in 0..<0x10000 {
            let same = SentenceCandidates.bmp[c] == UInt8(glean_sentence_candidate(UInt32(c)))
                && SentenceCandidates.stops[c] == UInt8(glean_sentence_stop(UInt32(c)))
                && SentenceCandidates.cases[c] == UInt8(glean_sentence_case(UInt32(c)))
            if !same { Issue.record("U+\(String(c, radix: 16)): tables disagree with ICU"); break }
        }
        // Greek has its own rules (";" ends a question): the segmenter gives ICU's sentences.
        var greek = Document(text: Array("Τι είναι; Δεν ξέρω".utf8), lang: "el")
        try segmenter.segment(&greek)
        #expect(greek.sentences.map(\.start) == [0, try segmenter.sentenceBoundaries(greek.text, lang: "el")[1]])
        // A text with no candidate is one sentence.
        #expect(try segmenter.fastSentenceBoundaries(Array("no end in sight, none".utf8)) == [0, 21])
    }
}

import CICUShim
import GleanCore
import GleanTestSupport
import Testing
@testable import GleanSegment

/// ICU's word iterator over a UTF-16 copy of the text (`glean_breaker_set_text_utf16`) against
/// the same iterator over the UTF-8 (UText): identical boundaries, rule statuses and tokens,
/// in UTF-8 offsets, on the real corpora of four languages and on random strings that mix
/// scripts, controls and astral characters (surrogate pairs in UTF-16); and `following` from
/// every byte offset.
struct UTF16TextTests {
    static func segments(_ text: [UInt8], lang: String, utf16: Bool, breaker: Breaker) throws -> [(Int32, Int32)] {
        var out: [(Int32, Int32)] = []
        var boundaries = [Int32](repeating: 0, count: 64)
        var statuses = [Int32](repeating: 0, count: 64)
        try text.withUnsafeBufferPointer { buffer in
            try breaker.setText(buffer, utf16: utf16)
            while true {
                let n = glean_breaker_next(breaker.handle, &boundaries, &statuses, 64)
                if n == 0 { break }
                for k in 0..<Int(n) { out.append((boundaries[k], statuses[k])) }
            }
        }
        return out
    }

    @Test(arguments: ["en", "zh", "ru", "de", "ja"])
    func boundariesEqualThoseOverUTF8(lang: String) throws {
        var random = TestRandom("UTF16TextTests.\(lang)")
        let breaker = try Breaker.open(kind: Int32(GLEAN_BREAK_WORD), locale: lang)
        var texts = try CorpusTexts.load(limitPerFile: 60)
        for _ in 0..<3_000 { texts.append(Array(random.string(maxLength: 30).utf8)) }
        texts.append([])
        for text in texts {
            let a = try Self.segments(text, lang: lang, utf16: true, breaker: breaker)
            let b = try Self.segments(text, lang: lang, utf16: false, breaker: breaker)
            let same = a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
            #expect(same, "\(String(decoding: text.prefix(80), as: UTF8.self).debugDescription), \(random.label)")
            if !same { return }
        }
    }

    @Test func followingFromEveryOffset() throws {
        var random = TestRandom("UTF16TextTests.following")
        let breaker = try Breaker.open(kind: Int32(GLEAN_BREAK_WORD), locale: "en")
        for _ in 0..<500 {
            let text = Array(random.string(maxLength: 20).utf8)
            var viaUTF16: [Int32] = [], viaUTF8: [Int32] = []
            try text.withUnsafeBufferPointer { buffer in
                try breaker.setText(buffer, utf16: true)
                viaUTF16 = (0..<text.count).map { glean_breaker_following(breaker.handle, Int32($0)) }
                try breaker.setText(buffer, utf16: false)
                viaUTF8 = (0..<text.count).map { glean_breaker_following(breaker.handle, Int32($0)) }
            }
            #expect(viaUTF16 == viaUTF8, "\(String(decoding: text, as: UTF8.self).debugDescription), \(random.label)")
        }
    }

    /// Whole documents: tokens with and without the UTF-16 copy.
    @Test func tokensEqualThoseOverUTF8() throws {
        let viaUTF16 = try Segmenter()
        let viaUTF8 = try Segmenter()
        viaUTF8.icuReadsUTF16 = false
        let texts = try CorpusTexts.load(limitPerFile: 60)
        for (k, text) in texts.enumerated() {
            let lang = ["en", "zh", "ru", "de"][k % 4]
            var a = Document(text: text, lang: lang), b = Document(text: text, lang: lang)
            try viaUTF16.segment(&a)
            try viaUTF8.segment(&b)
            let same = a.tokens == b.tokens && a.sentences == b.sentences
            #expect(same, "document \(k) (\(lang))")
        }
    }
}

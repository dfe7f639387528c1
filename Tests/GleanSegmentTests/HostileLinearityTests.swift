import Foundation
import GleanCore
import Testing
@testable import GleanSegment

/// Texts "without a break" (millions of tokens, a word of millions of letters, a text of only
/// terminators, CJK without spaces ...), for the linearity tests here and in
/// Tests/python/test_linear_work.py.
enum HostileTexts {
    /// Name and the text made by repeating a unit up to about `bytes` bytes.
    static let units: [(name: String, unit: String)] = [
        ("a-space", "a "),
        ("dots", "."),
        ("one-long-word", "a"),
        ("digits", "7"),
        ("mixed-scripts-alphabetic", "aбγé"),
        ("mixed-scripts-with-cjk", "aбγ中"),
        ("no-terminator", "lorem ipsum dolor "),
        ("all-terminators", "?!"),
        ("cjk-without-spaces", "中文字符"),
        ("cjk-sentences", "中文。"),
        ("lowercase-after-period", "x. "),
        ("abbreviations", "Mr. "),
        ("initials", "A.B."),
        ("terminators-and-closes", "?)\" "),
        ("long-word-then-dot", ""),  // special: see text(_:bytes:)
    ]

    static func text(_ name: String, bytes: Int) -> [UInt8] {
        if name == "long-word-then-dot" {
            // Words of 1000 letters, each ended by a dot and a space: long spaceless runs before
            // every terminator.
            let word = String(repeating: "b", count: 1000) + ". "
            return Array(String(repeating: word, count: max(1, bytes / word.utf8.count)).utf8)
        }
        let unit = units.first { $0.name == name }!.unit
        let n = max(1, bytes / unit.utf8.count)
        return Array(String(repeating: unit, count: n).utf8)
    }
}

/// The sentence fast path on hostile texts: the bytes it hands to ICU and walks back over grow
/// linearly with the text (counted at two sizes, not timed), and its boundaries stay ICU's.
@Suite("Segmenter linearity on hostile texts")
struct HostileLinearityTests {
    static let sanitized = ProcessInfo.processInfo.environment["GLEAN_SANITIZER"] == "1"

    @Test("sentence fast path: counted work is linear", arguments: HostileTexts.units.map(\.name), [false, true])
    func sentenceWorkIsLinear(_ name: String, withSuppressions: Bool) throws {
        let suppressions = withSuppressions ? SentenceSuppressions(locale: "en") : nil
        let sizes = Self.sanitized ? [1 << 16, 1 << 17] : [1 << 18, 1 << 19]
        let breaker = try SegmenterPrototypes().clones(for: "en").sentence
        var work: [Int] = []
        for size in sizes {
            let text = HostileTexts.text(name, bytes: size)
            var counted = 0
            var count = 0
            text.withUnsafeBufferPointer { buffer in
                try! breaker.setText(buffer)
                SentenceCandidates.boundaries(buffer, breaker: breaker, suppressions: suppressions, work: &counted) { _ in count += 1 }
            }
            #expect(count >= 1)
            // At most a few window's bytes per byte of text, whatever the text.
            #expect(counted <= 200 * text.count, "\(name): \(counted) bytes of work for \(text.count)")
            work.append(counted)
        }
        let ratio = Double(work[1]) / Double(max(1, work[0]))
        #expect(ratio < 2.3, "\(name): work \(work[0]) then \(work[1]) for twice the text (ratio \(ratio))")
    }

    /// The same boundaries as ICU's walk over the whole text (the differential check of the
    /// bounded look-behind).
    @Test("sentence fast path equals ICU on hostile texts", arguments: HostileTexts.units.map(\.name))
    func sentenceBoundariesMatchICU(_ name: String) throws {
        let segmenter = try Segmenter()
        for size in [300, 5000] {
            let text = HostileTexts.text(name, bytes: size)
            #expect(try segmenter.fastSentenceBoundaries(text) == segmenter.sentenceBoundaries(text), "\(name), \(size) bytes")
        }
        // Spaceless words around terminators, longer than the bounded look-behind.
        for word in [70, 200] {
            let w = String(repeating: "Q", count: word)
            for text in ["\(w). \(w)? \(w)! x", "\(w)Mr. Smith. \(w)etc. and \(w)U.S. Then", "\(w)?!?!\(w)...\(w)。\(w)"] {
                let bytes = Array(text.utf8)
                #expect(try segmenter.fastSentenceBoundaries(bytes) == segmenter.sentenceBoundaries(bytes), "\(text.prefix(40))")
            }
        }
    }

    /// Whole segmentation (word fast paths, or ICU where they hand over; sentences) still
    /// rebuilds the text on the hostile inputs, tokens and sentences inside it.
    @Test("hostile texts segment losslessly", arguments: HostileTexts.units.map(\.name))
    func hostileTextsAreLossless(_ name: String) throws {
        let segmenter = try Segmenter()
        var doc = Document(text: HostileTexts.text(name, bytes: 1 << 16))
        try segmenter.segment(&doc)
        var rebuilt: [UInt8] = []
        var previous = 0
        for t in doc.tokens {
            #expect(t.start >= previous && t.end > t.start)
            rebuilt += doc.text[previous..<t.end]
            previous = t.end
        }
        rebuilt += doc.text[previous...]
        #expect(rebuilt == doc.text)
        #expect(doc.sentences.first?.start ?? 0 >= 0 && (doc.sentences.last?.end ?? 0) <= doc.text.count)
    }
}

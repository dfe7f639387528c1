import Foundation
@testable import GleanPatterns
import GleanTestSupport
import Testing

/// The helpers that work out a pattern's starts from its regex when a pack is built.
@Suite("Start analysis helpers")
struct StartAnalysisTests {
    /// A regex, then whether it holds "\G" and whether it holds "(*".
    static let rows: [(String, Bool, Bool)] = [
        ("", false, false),
        ("\\", false, false),
        ("\\G", true, false),
        ("(*UTF)abc", false, true),
        ("a\\Gb", true, false),
        ("(?:x)*", false, false),
        ("\\\\G", true, false),
        ("\\g{1}G(", false, false),
        ("(", false, false),
        ("é(*", false, true),
        (String(repeating: "\\d", count: 3_000) + "\\G", true, false),
        (String(repeating: "(x)", count: 3_000) + "(*", false, true),
    ]

    @Test("a regex holds two bytes in a row where and only where the reference finds them", arguments: rows.indices)
    func holds(_ index: Int) {
        let (regex, g, verb) = Self.rows[index]
        #expect(StartAnalysis.holds(regex, 0x5C, 0x47) == g)
        #expect(StartAnalysis.holds(regex, 0x28, 0x2A) == verb)
    }

    @Test("random strings over a small alphabet: the same answers as a plain scan of the bytes")
    func holdsAgainstAScan() {
        var rng = TestRandom("start analysis holds")
        let alphabet = Array("\\G(*a".utf8)
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let s = String(decoding: bytes, as: UTF8.self)
            let expected = bytes.indices.dropLast().contains { bytes[$0] == 0x5C && bytes[$0 + 1] == 0x47 }
            #expect(StartAnalysis.holds(s, 0x5C, 0x47) == expected, "\(s) \(rng.label)")
        }
    }

    @Test("sorted words keep each word once, in order")
    func duplicates() {
        var rng = TestRandom("remove duplicates in order")
        for _ in 0..<500 {
            let words = (0..<Int.random(in: 0...10, using: &rng)).map { _ in [UInt8.random(in: 0...3, using: &rng)] }
            var sorted = words.sorted { $0.lexicographicallyPrecedes($1) }
            sorted.removeDuplicatesInOrder()
            #expect(sorted == Array(Set(words)).sorted { $0.lexicographicallyPrecedes($1) }, "\(words) \(rng.label)")
        }
    }
}

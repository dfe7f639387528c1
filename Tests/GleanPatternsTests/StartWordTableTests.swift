@testable import GleanPatterns
import GleanTestSupport
import Testing

/// The plan's start-word table and the document byte set, each against a plain reference: a
/// dictionary of words for ``StartWordTable``, a byte-by-byte set for ``ByteSet/present(in:)``.
struct StartWordTableTests {
    /// Every run of letters of real and random texts, looked up at the very end of its buffer
    /// (so that the table's 8-byte loads meet the buffer's end) and inside it, gives the groups
    /// of a plain dictionary; words that are not 1 to 32 letters are never found.
    @Test func findsWhatADictionaryFinds() throws {
        var random = TestRandom("StartWordTableTests")
        let alphabet = Array("abAB".utf8)
        var words: [[UInt8]: StartWordTable.Groups] = [:]
        for w in ["per", "cent", "percent", "Mr", "Dr", "a", "January", "thousand", "internationally",
                  "abcdefghijklmnopqrstuvwxyzabcdef", "G7", "x-ray", ""] {
            words[Array(w.utf8), default: 0] |= 1 << (words.count % 5)
        }
        for _ in 0..<300 {
            let w = (0..<Int.random(in: 1...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            words[w, default: 0] |= 1 << Int.random(in: 0..<PatternPlan.wordGroupLimit, using: &random)
        }
        words[Array(repeating: 0x61, count: 33)] = 1  // too long to be a start word
        let table = StartWordTable(words)
        func reference(_ run: ArraySlice<UInt8>) -> StartWordTable.Groups {
            guard run.count <= 32, run.allSatisfy(PatternPlan.isLetter) else { return 0 }
            return words[Array(run)] ?? 0
        }
        var texts: [[UInt8]] = try CorpusTexts.load(limitPerFile: 20)
        for _ in 0..<400 {
            texts.append((0..<Int.random(in: 1...40, using: &random)).map { _ in (alphabet + [0x20]).randomElement(using: &random)! })
        }
        texts += words.keys.filter { !$0.isEmpty }.map { $0 }  // each word alone: it ends its buffer
        var hits = 0, runs = 0
        for text in texts {
            text.withUnsafeBufferPointer { buffer in
                var i = 0
                while i < text.count {
                    guard PatternPlan.isLetter(text[i]) else { i += 1; continue }
                    var j = i
                    while j < text.count && PatternPlan.isLetter(text[j]) { j += 1 }
                    let want = reference(text[i..<j])
                    let got = j - i <= 32 ? table.groups(of: buffer.baseAddress! + i, count: j - i, bytesLeft: text.count - i) : 0
                    #expect(got == want, "\(String(decoding: text[i..<j], as: UTF8.self).debugDescription), \(random.label)")
                    if want != 0 { hits += 1 }
                    runs += 1
                    i = j
                }
            }
        }
        #expect(hits > 300 && runs > hits, "the texts hold start words and other runs")
    }

    /// The bytes present in a text, for texts of every length up to 40 (the 8-byte loop and its
    /// tail) over all 256 byte values, equal a byte-by-byte set.
    @Test func presentBytesEqualAPlainSet() throws {
        var random = TestRandom("ByteSetPresent")
        var texts: [[UInt8]] = try CorpusTexts.load(limitPerFile: 10)
        for n in 0...40 {
            for _ in 0..<8 { texts.append((0..<n).map { _ in UInt8.random(in: 0...255, using: &random) }) }
        }
        texts.append((0...255).map { UInt8($0) })
        for text in texts {
            var want = ByteSet()
            for b in text { want.insert(b) }
            let got = text.withUnsafeBufferPointer { ByteSet.present(in: $0) }
            #expect(got == want, "\(text.count) bytes, \(random.label)")
        }
    }
}

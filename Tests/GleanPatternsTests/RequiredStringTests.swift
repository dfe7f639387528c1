@testable import GleanPatterns
import GleanTestSupport
import Testing

/// `RequiredString`, searched by its rarest byte, finds a string exactly where a plain search
/// does: the pack's own `requires` strings and random ones, at the text's edges and inside, in
/// random texts over a small alphabet (many near misses) and in real text.
struct RequiredStringTests {
    static func naive(_ needle: [UInt8], _ text: [UInt8]) -> Bool {
        guard needle.count <= text.count else { return false }
        return (0...(text.count - needle.count)).contains { text[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    @Test func theRareByteIsTheLeastCommon() {
        #expect(RequiredString(" and 1").rare == 5)
        #expect(RequiredString("square").rare == 1)
        #expect(RequiredString("F (").rare == 2)
        #expect(RequiredString("www.").rare == 3)
        #expect(RequiredString("ab").rare == 1)
    }

    @Test func findsWhatAPlainSearchFinds() throws {
        var random = TestRandom("RequiredStringTests")
        let alphabet = Array(" aeqs1(F.\u{B0}".utf8)
        var needles = [" and 1", " or 1", "square", "sq", "km\u{B2}", "F (", "C (", "\u{B0}", "://", "www.", "skippered by", "B.C"]
            .map { Array($0.utf8) }
        for _ in 0..<40 {
            needles.append((0..<Int.random(in: 1...4, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        }
        var texts: [[UInt8]] = try CorpusTexts.load(limitPerFile: 30)
        for _ in 0..<300 {
            texts.append((0..<Int.random(in: 0...40, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        }
        var found = 0
        let positions = BytePositions()
        for text in texts {
            text.withUnsafeBufferPointer { buffer in
                let present = ByteSet.present(in: buffer)
                positions.reset()
                for needle in needles {
                    let want = Self.naive(needle, text)
                    if want { found += 1 }
                    let what = "\(String(decoding: needle, as: UTF8.self).debugDescription) in \(String(decoding: text.prefix(60), as: UTF8.self).debugDescription), \(random.label)"
                    #expect(RequiredString(needle).isPresent(in: buffer, present: present) == want, "\(what)")
                    // The same with the rare bytes' positions shared by the needles of one text.
                    #expect(RequiredString(needle).isPresent(in: buffer, present: present, positions: positions) == want, "\(what), shared positions")
                }
            }
        }
        #expect(found > 100, "the table holds hits as well as misses")
    }
}

/// `BytePositions`: each byte's ascending offsets, as a plain scan finds them, across texts and
/// across the growth of its storage.
struct BytePositionsTests {
    @Test func positionsAreThoseOfAPlainScan() throws {
        var random = TestRandom("BytePositionsTests")
        var texts: [[UInt8]] = try CorpusTexts.load(limitPerFile: 10)
        for _ in 0..<100 {
            texts.append((0..<Int.random(in: 0...3000, using: &random)).map { _ in Array("ab- 1(".utf8).randomElement(using: &random)! })
        }
        let positions = BytePositions()
        var seen = 0
        for text in texts where text.count <= BytePositions.textLimit {
            positions.reset()
            text.withUnsafeBufferPointer { buffer in
                // Each byte twice: the second answer comes from what the first one kept.
                for byte in Array("-a(1- ".utf8) {
                    let want = text.indices.filter { text[$0] == byte }.map { Int32($0) }
                    seen += want.count
                    #expect(Array(positions.positions(of: byte, in: buffer)) == want, "\(byte) in a text of \(text.count) bytes, \(random.label)")
                }
            }
        }
        #expect(seen > 10_000, "the texts hold many positions (the storage grows)")
    }
}

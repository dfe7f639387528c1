@testable import GleanNames
import GleanTestSupport
import Testing

/// `WordTable` against a `Dictionary` of the same words: every word inserted is found with its
/// value, words never inserted are not (including ones whose hashes are made to collide), over
/// enough words to make the table grow several times.
struct WordTableTests {
    @Test func findsWhatADictionaryFinds() {
        var random = TestRandom("WordTableTests")
        var table = WordTable<Int>()
        var reference: [[UInt8]: Int] = [:]
        func word() -> [UInt8] { (0..<Int.random(in: 1...7, using: &random)).map { _ in UInt8.random(in: 0x61...0x66, using: &random) } }
        for n in 0..<5_000 {
            let w = word()
            if reference[w] == nil {
                reference[w] = n
                table.insert(w, hash: Lexicon.hash(w[...]), n)
            }
        }
        #expect(table.count == reference.count)
        for (w, v) in reference {
            let k = table.find(w[...], hash: Lexicon.hash(w[...]))
            #expect(k.map { table.values[$0] } == v, "\(w), \(random.label)")
            #expect(k.map { Array(table.word($0)) } == w, "the bytes kept for \(w)")
        }
        for _ in 0..<5_000 {
            let w = word() + [0x7A]
            #expect(table.find(w[...], hash: Lexicon.hash(w[...])) == nil)
        }
        // The same hash for different words: the bytes decide.
        var colliding = WordTable<Int>()
        colliding.insert(Array("Henry".utf8), hash: 42, 1)
        colliding.insert(Array("Harry".utf8), hash: 42, 2)
        #expect(colliding.find(Array("Harry".utf8)[...], hash: 42).map { colliding.values[$0] } == 2)
        #expect(colliding.find(Array("Henry".utf8)[...], hash: 42).map { colliding.values[$0] } == 1)
        #expect(colliding.find(Array("Henri".utf8)[...], hash: 42) == nil)
    }
}

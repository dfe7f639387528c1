import GleanCore
@testable import GleanNames
import GleanTestSupport
import Testing

/// `Propagation.DefinedWords`, the table of the words a document's mentions define, against a
/// dictionary from the words' strings: random words of a small alphabet (so that many share a
/// first byte and a length, and the table grows several times and probes past collisions),
/// defined with and without replacing, then every token looked up.
struct DefinedWordsTests {
    @Test func agreesWithDictionary() {
        var random = TestRandom("DefinedWordsTests")
        for round in 0..<50 {
            // A text of random words over "ABab", each a token.
            var text: [UInt8] = []
            var tokens: [Token] = []
            for _ in 0..<Int.random(in: 1...400, using: &random) {
                let start = text.count
                for _ in 0..<Int.random(in: 1...5, using: &random) { text.append(Array("ABab".utf8).randomElement(using: &random)!) }
                tokens.append(Token(start: start, end: text.count, kind: .word))
                text.append(0x20)
            }
            func word(_ t: Token) -> String { String(decoding: text[t.start..<t.end], as: UTF8.self) }
            text.withUnsafeBufferPointer { buf in
                var table = Propagation.DefinedWords(text: buf)
                var reference: [String: Int] = [:]
                #expect(table.isEmpty)
                for (k, t) in tokens.enumerated() where Bool.random(using: &random) {
                    let replacing = Int.random(in: 0..<4, using: &random) == 0
                    table.define(t, Propagation.Origin(label: "L", kbId: "", from: k, rule: "r"), replacing: replacing)
                    if replacing || reference[word(t)] == nil { reference[word(t)] = k }
                }
                #expect(table.isEmpty == reference.isEmpty, "round \(round)")
                for t in tokens {
                    #expect(table.lookup(t)?.from == reference[word(t)], "round \(round): \(word(t))")
                }
            }
        }
    }
}

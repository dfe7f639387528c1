import GleanCore
@testable import GleanNames
import GleanTestSupport
import Testing

/// `Propagation.merge`, which removes replaced entities and merges the new ones in place, gives
/// what removing, appending and sorting gives, on random sorted, disjoint entities.
struct PropagationMergeTests {
    static func span(_ first: Int, _ length: Int, _ label: String) -> Span {
        var s = Span(matchStart: first * 10, matchEnd: (first + length) * 10, label: label, source: .gazetteer, name: "")
        s.firstToken = first
        s.endToken = first + length
        return s
    }

    @Test func mergeEqualsRemoveAppendAndSort() {
        var random = TestRandom("PropagationMergeTests")
        for round in 0..<300 {
            // Disjoint entities over 200 tokens; some one-token ones replaced, free tokens filled.
            var entities: [Span] = []
            var t = 0
            while t < 200 {
                t += Int.random(in: 0..<4, using: &random)
                let length = Int.random(in: 1...3, using: &random)
                guard t + length <= 200 else { break }
                entities.append(Self.span(t, length, "GPE"))
                t += length
            }
            var covered = Set<Int>()
            for e in entities { covered.formUnion(e.firstToken..<e.endToken) }
            var removed: [Int] = []
            var added: [Span] = []
            for (k, e) in entities.enumerated() where e.endToken - e.firstToken == 1 && Bool.random(using: &random) {
                removed.append(k)
                added.append(Self.span(e.firstToken, 1, "PERSON"))
            }
            for token in 0..<200 where !covered.contains(token) && Int.random(in: 0..<5, using: &random) == 0 {
                added.append(Self.span(token, 1, "PERSON"))
            }
            added.sort { $0.firstToken < $1.firstToken }
            var expected = entities.enumerated().filter { !removed.contains($0.offset) }.map(\.element) + added
            expected.sort { $0.firstToken < $1.firstToken }
            var merged = entities
            Propagation.merge(&merged, removing: removed, adding: added)
            let same = merged == expected
            #expect(same, "round \(round), \(random.label)")
        }
    }
}

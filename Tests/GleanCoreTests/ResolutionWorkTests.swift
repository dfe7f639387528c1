import Foundation
import GleanCore
import GleanTestSupport
import Testing

/// The `longest` policy's work is O(n log n) in the candidates, on the shapes that made it
/// quadratic (a sorted array of taken ranges with an insert in the middle for each winner): many
/// short disjoint winners accepted longest-first, i.e. in an order unrelated to their position.
struct ResolutionWorkTests {
    /// "cat 5 dog 7 million " repeated: winners of one to three tokens everywhere, found by
    /// several stages, so that candidates overlap in pairs. `units` repeats of 8 tokens.
    static func candidates(units: Int) -> [Span] {
        var spans: [Span] = []
        for u in 0..<units {
            let t = u * 8
            spans.append(ResolutionTests.span(t + 2, t + 3, label: "n"))          // "5"
            spans.append(ResolutionTests.span(t + 6, t + 8, label: "m"))          // "7 million"
            spans.append(ResolutionTests.span(t + 6, t + 7, label: "n"))          // "7"
            spans.append(ResolutionTests.span(t + 4, t + 7, priority: 1, label: "x")) // "dog 7", overlaps
            spans.append(ResolutionTests.span(t, t + 1, label: "a"))              // "cat"
        }
        // Reverse the lengths' order against positions: the later a span, the longer.
        spans.reverse()
        return spans
    }

    @Test func workIsNLogN() {
        var steps: [Int] = []
        var winners: [Int] = []
        for units in [20_000, 40_000] {
            var s = 0
            let result = ResolutionPolicy.longest.resolve(Self.candidates(units: units), steps: &s)
            steps.append(s)
            winners.append(result.count)
        }
        #expect(winners[1] == 2 * winners[0])
        // n log n: twice the candidates cost a little over twice the steps; quadratic would be 4.
        let ratio = Double(steps[1]) / Double(steps[0])
        #expect(ratio < 2.4, "steps \(steps)")
        // And the absolute bound: a small multiple of n log2 n.
        let n = Double(5 * 40_000)
        #expect(Double(steps[1]) < 8 * n * log2(n), "steps \(steps)")
    }

    @Test func largeInputsAgreeWithNaive() {
        var rng = TestRandom("resolutionLargeInputsAgreeWithNaive")
        for _ in 0..<20 {
            let tokenCount = Int.random(in: 100...3000, using: &rng)
            let spans: [Span] = (0..<Int.random(in: 0...2000, using: &rng)).map { k in
                let first = Int.random(in: 0..<tokenCount, using: &rng)
                let end = Int.random(in: (first + 1)...min(tokenCount, first + 40), using: &rng)
                return ResolutionTests.span(first, end, priority: Int.random(in: 0...2, using: &rng), label: "\(k)")
            }
            let got = ResolutionPolicy.longest.resolve(spans)
            #expect(got.map(\.label) == ResolutionTests.naiveFilterSpans(spans).map(\.label), "\(rng.label)")
        }
    }
}

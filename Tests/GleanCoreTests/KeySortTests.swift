import GleanCore
import GleanTestSupport
import Testing

/// ``KeySort`` against the standard library's sort: random keys of every small size and some
/// large ones, with many duplicates and without, and pairs compared first word first; the
/// comparisons stay within n log2 n plus the insertion runs' share.
struct KeySortTests {
    @Test func agreesWithStandardSort() {
        var rng = TestRandom("keySortAgreesWithStandardSort")
        let sizes = Array(0...70) + [127, 128, 129, 1000, 4096, 10_001]
        for n in sizes {
            for range in [UInt64(3), UInt64.max] {
                var keys = (0..<n).map { _ in UInt64.random(in: 0...range, using: &rng) }
                let expected = keys.sorted()
                var comparisons = 0
                keys.withUnsafeMutableBufferPointer { KeySort.sort($0, comparisons: &comparisons) }
                #expect(keys == expected, "n \(n), range \(range)")
                // Insertion sorts of runs of 16 (at most 120 comparisons each), then at most n per
                // merge level, one level per doubling from 16 up to n.
                var levels = 0, width = 16
                while width < n { levels += 1; width *= 2 }
                let bound = (n + 15) / 16 * 120 + n * levels
                #expect(comparisons <= bound, "n \(n): \(comparisons) comparisons, bound \(bound)")
                if n >= 2 { #expect(comparisons >= n - 1, "n \(n): every key is compared at least once") }
            }
        }
    }

    @Test func pairsCompareFirstThenSecondAndStayStable() {
        var rng = TestRandom("keySortPairs")
        for n in [0, 1, 2, 15, 16, 17, 33, 500] {
            // Index in the second word only for half of the keys: equal pairs keep their order.
            let pairs = (0..<n).map { k in (KeyPair(UInt64.random(in: 0...4, using: &rng), UInt64.random(in: 0...2, using: &rng)), k) }
            var keys = pairs.map(\.0)
            var comparisons = 0
            keys.withUnsafeMutableBufferPointer { KeySort.sort($0, comparisons: &comparisons) }
            let expected = pairs.sorted { $0.0 < $1.0 || (!($1.0 < $0.0) && $0.1 < $1.1) }.map(\.0)
            #expect(keys == expected, "n \(n)")
        }
    }

    /// The comparison count is the number of `<` calls made: n - 1 on sorted input of one run.
    @Test func sortedRunCostsOneComparisonPerKey() {
        for n in [2, 8, 16] {
            var keys = (0..<n).map { UInt64($0) }
            var comparisons = 0
            keys.withUnsafeMutableBufferPointer { KeySort.sort($0, comparisons: &comparisons) }
            #expect(comparisons == n - 1)
        }
    }
}

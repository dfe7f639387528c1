import GleanCore
import GleanTestSupport
import Testing

/// ``KeySort`` against the standard library's sort: random keys of every small size and some
/// large ones, with many duplicates and without, pairs compared first word first, equal keys in
/// their order; the comparisons stay within n log2 n plus the insertion runs' share.
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

    @Test func pairsCompareFirstThenSecond() {
        var rng = TestRandom("keySortPairs")
        for n in [0, 1, 2, 15, 16, 17, 33, 500] {
            var keys = (0..<n).map { _ in KeyPair(UInt64.random(in: 0...4, using: &rng), UInt64.random(in: 0...2, using: &rng)) }
            let expected = keys.sorted { ($0.first, $0.second) < ($1.first, $1.second) }
            var comparisons = 0
            keys.withUnsafeMutableBufferPointer { KeySort.sort($0, comparisons: &comparisons) }
            #expect(keys == expected, "n \(n)")
        }
    }

    /// A key compared by `key` alone, carrying where it came from: equal keys must keep their
    /// order (the sort is stable).
    struct Tagged: Comparable, BitwiseCopyable {
        var key: UInt8
        var tag: Int32
        static func < (a: Tagged, b: Tagged) -> Bool { a.key < b.key }
        static func == (a: Tagged, b: Tagged) -> Bool { a.key == b.key }
    }

    @Test func equalKeysKeepTheirOrder() {
        var rng = TestRandom("keySortStable")
        for n in [2, 16, 17, 40, 100, 1000] {
            var keys = (0..<n).map { Tagged(key: UInt8.random(in: 0...3, using: &rng), tag: Int32($0)) }
            var comparisons = 0
            keys.withUnsafeMutableBufferPointer { KeySort.sort($0, comparisons: &comparisons) }
            for k in 1..<n {
                #expect(keys[k - 1].key < keys[k].key || (keys[k - 1].key == keys[k].key && keys[k - 1].tag < keys[k].tag),
                        "n \(n) at \(k)")
            }
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

/// Sorting of small numeric keys in place, counting comparisons: what resolution sorts per
/// document (a few dozen candidates' keys), where the standard library's sort with a counting
/// closure spent more on its set-up and closure calls than on comparing.
///
/// Runs of 16 are sorted by insertion, then merged bottom-up through one scratch buffer of the
/// same size (a stable merge sort: O(n log n) comparisons, each counted into `comparisons`).
///
/// ```swift
/// var keys: [UInt64] = [5, 1, 4]
/// var comparisons = 0
/// keys.withUnsafeMutableBufferPointer { KeySort.sort($0, comparisons: &comparisons) }  // [1, 4, 5]
/// ```
public enum KeySort {
    /// Below this many keys (and for each first run) insertion sort alone.
    static let run = 16

    /// Sorts `keys` ascending (stable), adding the comparisons made to `comparisons`.
    public static func sort<Key: Comparable & BitwiseCopyable>(_ keys: UnsafeMutableBufferPointer<Key>, comparisons: inout Int) {
        let n = keys.count
        guard n > 1, let base = keys.baseAddress else { return }
        var count = 0
        var start = 0
        while start < n {
            insertionSort(base + start, min(run, n &- start), comparisons: &count)
            start &+= run
        }
        if n > run {
            // Keys are bitwise-copyable: the scratch needs no initialising before the merges write it.
            let scratch = UnsafeMutablePointer<Key>.allocate(capacity: n)
            defer { scratch.deallocate() }
            // Merge runs of `width` from `from` into `to`, doubling `width`; the keys end in
            // whichever buffer the last pass wrote, and are copied back if that is the scratch.
            var from = base, to = scratch
            var width = run
            while width < n {
                var lo = 0
                while lo < n {
                    let mid = min(lo &+ width, n), hi = min(lo &+ 2 &* width, n)
                    merge(from, lo, mid, hi, into: to, comparisons: &count)
                    lo = hi
                }
                swap(&from, &to)
                width &*= 2
            }
            if from != base { base.update(from: from, count: n) }
        }
        comparisons += count
    }

    @inline(__always)
    static func insertionSort<Key: Comparable & BitwiseCopyable>(_ a: UnsafeMutablePointer<Key>, _ n: Int, comparisons: inout Int) {
        var i = 1
        while i < n {
            let key = a[i]
            var j = i
            while j > 0 {
                comparisons &+= 1
                guard key < a[j &- 1] else { break }
                a[j] = a[j &- 1]
                j &-= 1
            }
            a[j] = key
            i &+= 1
        }
    }

    /// Merges the sorted ranges [lo, mid) and [mid, hi) of `a` into the same range of `out`.
    @inline(__always)
    static func merge<Key: Comparable & BitwiseCopyable>(_ a: UnsafeMutablePointer<Key>, _ lo: Int, _ mid: Int, _ hi: Int,
                                       into out: UnsafeMutablePointer<Key>, comparisons: inout Int) {
        var i = lo, j = mid, k = lo
        while i < mid && j < hi {
            comparisons &+= 1
            if a[j] < a[i] { out[k] = a[j]; j &+= 1 } else { out[k] = a[i]; i &+= 1 }
            k &+= 1
        }
        while i < mid { out[k] = a[i]; i &+= 1; k &+= 1 }
        while j < hi { out[k] = a[j]; j &+= 1; k &+= 1 }
    }
}

/// Two keys compared in order (the first, then the second): one sort key made of two words.
public struct KeyPair: Comparable, BitwiseCopyable {
    public var first: UInt64
    public var second: UInt64

    @inline(__always)
    public init(_ first: UInt64, _ second: UInt64) {
        self.first = first
        self.second = second
    }

    @inline(__always)
    public static func < (a: KeyPair, b: KeyPair) -> Bool {
        a.first != b.first ? a.first < b.first : a.second < b.second
    }
}

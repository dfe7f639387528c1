/// Widens raw matches to the tokens that hold them (spaCy's `alignment_mode="expand"`).
///
/// A match [a, b) becomes [start of the first token that ends after a, end of the last token that
/// starts before b). A match that touches no token (it lies in whitespace) is dropped. Over the
/// tokens `New` `York` of "New York", the match "ew Yo" widens to "New York".
public enum TokenAlignment {
    /// Sets `start`, `end`, `firstToken`, `endToken` of each span from its raw match and removes
    /// the spans that cover no token.
    public static func expand(_ spans: inout [Span], tokens: [Token]) {
        guard !spans.isEmpty else { return }
        var kept = 0
        // A stage gives its spans mostly in text order: each search starts from the previous
        // span's first token where it can (the answer cannot lie before it) and gallops.
        var lastStart = Int.min, lastFirst = 0
        tokens.withUnsafeBufferPointer { tokens in
            // Spans are read and changed in place (a copy would retain and release its strings);
            // a kept span moves down over a dropped one by a swap.
            for k in spans.indices {
                let matchStart = spans[k].matchStart, matchEnd = spans[k].matchEnd
                let first = firstToken(in: tokens, from: matchStart >= lastStart ? lastFirst : 0) { $0.end > matchStart }
                lastStart = matchStart
                lastFirst = first
                // The first token that starts at or after the match's end; the last covered one
                // is just before it.
                let endToken = firstToken(in: tokens, from: first) { $0.start >= matchEnd }
                guard first < endToken else { continue }
                if kept != k { spans.swapAt(kept, k) }
                spans[kept].firstToken = first
                spans[kept].endToken = endToken
                spans[kept].start = tokens[first].start
                spans[kept].end = tokens[endToken - 1].end
                kept += 1
            }
        }
        spans.removeLast(spans.count - kept)
    }

    /// The first index at or after `from` whose token satisfies `isPast` (a test that is false
    /// for a prefix of the tokens and true after it), or the count: galloping from `from` by
    /// doubling steps, then a binary search in the last step.
    @inline(__always)
    static func firstToken(in tokens: UnsafeBufferPointer<Token>, from: Int, where isPast: (Token) -> Bool) -> Int {
        let n = tokens.count
        var lo = from, hi = from, step = 1
        while hi < n && !isPast(tokens[hi]) {
            lo = hi + 1
            hi = lo + step
            step <<= 1
        }
        hi = min(hi, n)
        while lo < hi {
            let mid = (lo + hi) / 2
            if isPast(tokens[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// How overlapping candidates are settled into `ents`: a named, swappable policy.
///
/// `longest` (the default) is spaCy's `filter_spans`: among overlapping candidates the longest (in
/// tokens) wins, then the one that starts first, then the higher `priority`. Over
/// "New York City Hall" the candidates "New York" and "New York City" give "New York City".
public enum ResolutionPolicy: String, Sendable, CaseIterable {
    case longest

    /// The non-overlapping winners among `candidates` (token-aligned), sorted by start.
    ///
    /// O(n log n) in the number of candidates, whatever their overlaps: the accepted token
    /// ranges are marked in a ``TakenTokens`` set over the candidates' own boundaries.
    public func resolve(_ candidates: [Span]) -> [Span] {
        var steps = 0
        return resolve(candidates, steps: &steps)
    }

    /// The same, adding to `steps` the elementary steps taken (sort comparisons, set steps): the
    /// work counter that tests hold to n log n.
    public func resolve(_ candidates: [Span], steps: inout Int) -> [Span] {
        guard candidates.count > 1 else { return candidates }
        let n = candidates.count
        // The order as two flat keys per candidate, compared as numbers (no span is copied while
        // sorting): (longer first, then earlier), (higher priority first, then input order).
        var first = [Int32](repeating: 0, count: n)
        var end = [Int32](repeating: 0, count: n)
        var order: [(UInt64, UInt64)] = []
        order.reserveCapacity(n)
        // By index, the offsets and priority read in place: no span is copied (a copy retains
        // its label, names and extras and releases them again).
        candidates.withUnsafeBufferPointer { cs in
            for k in 0..<n {
                let firstToken = cs[k].firstToken, endToken = cs[k].endToken
                first[k] = Int32(truncatingIfNeeded: firstToken)
                end[k] = Int32(truncatingIfNeeded: endToken)
                let length = UInt64(UInt32(truncatingIfNeeded: max(0, Int(UInt32.max) - (endToken - firstToken))))
                let rank = UInt64(UInt32(truncatingIfNeeded: Int(Int32.max) - cs[k].priority))
                order.append((length << 32 | UInt64(UInt32(truncatingIfNeeded: firstToken)), rank << 32 | UInt64(k)))
            }
        }
        var comparisons = 0
        order.sort { a, b in
            comparisons += 1
            return a.0 != b.0 ? a.0 < b.0 : a.1 < b.1
        }
        steps += comparisons
        var boundaries: [Int] = []
        boundaries.reserveCapacity(2 * n)
        for k in 0..<n {
            boundaries.append(Int(first[k]))
            boundaries.append(Int(end[k]))
        }
        var taken = TakenTokens(boundaries: boundaries)
        boundaries = []
        // The winners as indices first (4 bytes each), then copied once into an array of their
        // exact size: a large document's spans are not held twice over while an array grows.
        var chosen: [Int32] = []
        for key in order {
            let index = Int(truncatingIfNeeded: key.1 & 0xFFFF_FFFF)
            let a = Int(first[index]), b = Int(end[index])
            if taken.anyTaken(a, b) { continue }
            taken.take(a, b)
            chosen.append(Int32(truncatingIfNeeded: index))
        }
        steps += taken.steps
        chosen.sort { first[Int($0)] < first[Int($1)] }
        var winners: [Span] = []
        winners.reserveCapacity(chosen.count)
        for index in chosen { winners.append(candidates[Int(index)]) }
        return winners
    }
}

/// A set of taken token ranges, for "is any token of [first, end) taken?" and "take [first,
/// end)" in O(log n) each, where the ranges' ends are among `boundaries`.
///
/// The boundaries, sorted and deduplicated, cut the token line into cells (cell i is
/// [b[i], b[i+1])); a Fenwick tree counts the taken cells. A taken range covers whole cells,
/// and ranges are taken only when no cell of theirs is, so every cell is taken at most once:
/// n candidates cost O(n log n) in all. `TakenTokens(boundaries: [0, 2, 5])`, `take(0, 2)`:
/// `anyTaken(1, 5)` is true, `anyTaken(2, 5)` false.
struct TakenTokens {
    private let bounds: [Int]
    private var tree: [Int32]
    private var taken: [Bool]
    /// Elementary steps taken so far (binary-search and tree steps), for work tests.
    private(set) var steps = 0

    init(boundaries: [Int]) {
        var b = boundaries.sorted()
        var unique = 0
        for v in b where unique == 0 || b[unique - 1] != v { b[unique] = v; unique += 1 }
        b.removeLast(b.count - unique)
        bounds = b
        tree = [Int32](repeating: 0, count: b.count + 1)
        taken = [Bool](repeating: false, count: b.count)
        steps = b.count
    }

    /// Index of `value` among the boundaries (it must be one).
    private mutating func cell(_ value: Int) -> Int {
        var lo = 0, hi = bounds.count
        while lo < hi {
            steps += 1
            let mid = (lo + hi) / 2
            if bounds[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        assert(lo < bounds.count && bounds[lo] == value, "a range end that is not a boundary")
        return lo
    }

    /// Taken cells among the first `n`.
    private mutating func prefix(_ n: Int) -> Int32 {
        var i = n, sum: Int32 = 0
        while i > 0 { steps += 1; sum += tree[i]; i &= i - 1 }
        return sum
    }

    mutating func anyTaken(_ first: Int, _ end: Int) -> Bool {
        guard first < end else { return false }
        let a = cell(first), b = cell(end)
        return prefix(b) - prefix(a) > 0
    }

    mutating func take(_ first: Int, _ end: Int) {
        guard first < end else { return }
        let a = cell(first), b = cell(end)
        for c in a..<b where !taken[c] {
            taken[c] = true
            var i = c + 1
            while i < tree.count { steps += 1; tree[i] += 1; i += i & -i }
        }
    }
}

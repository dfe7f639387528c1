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
        return resolve([SpanGroup(name: "", spans: candidates)], steps: &steps)
    }

    /// The winners among the candidates of all `groups`, as if their spans were one array in
    /// group order (``Document/allCandidates``), without making that array: each candidate is
    /// read in place and only the winners are copied.
    public func resolve(_ groups: [SpanGroup]) -> [Span] {
        var steps = 0
        return resolve(groups, steps: &steps)
    }

    /// ``resolve(_:)-([SpanGroup])`` adding to `steps` the elementary steps taken.
    public func resolve(_ groups: [SpanGroup], steps: inout Int) -> [Span] {
        var n = 0
        for g in groups.indices { n += groups[g].spans.count }
        guard n > 1 else { return groups.first { !$0.spans.isEmpty }?.spans ?? [] }
        // The working keys and sets of one call, in temporary storage (on the stack for most
        // documents' few dozen candidates): no array is allocated but the winners.
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: ResolutionStorage.int32Count(n)) { ints in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * n) { words in
                withUnsafeTemporaryAllocation(of: KeyPair.self, capacity: n) { order in
                    let storage = ResolutionStorage(count: n, ints: ints, words: words, order: order)
                    return Self.winners(groups, storage, steps: &steps)
                }
            }
        }
    }

    private static func winners(_ groups: [SpanGroup], _ storage: ResolutionStorage, steps: inout Int) -> [Span] {
        let first = storage.first, end = storage.end, order = storage.order
        // The order as two flat keys per candidate, compared as numbers (no span is copied while
        // sorting): (longer first, then earlier), (higher priority first, then input order).
        // By index, the offsets and priority read in place: no span is copied (a copy retains
        // its label, names and extras and releases them again).
        var k = 0
        for g in groups.indices {
            groups[g].spans.withUnsafeBufferPointer { cs in
                for c in cs.indices {
                    let firstToken = cs[c].firstToken, endToken = cs[c].endToken
                    first[k] = Int32(truncatingIfNeeded: firstToken)
                    end[k] = Int32(truncatingIfNeeded: endToken)
                    let length = UInt64(UInt32(truncatingIfNeeded: max(0, Int(UInt32.max) - (endToken - firstToken))))
                    let rank = UInt64(UInt32(truncatingIfNeeded: Int(Int32.max) - cs[c].priority))
                    order[k] = KeyPair(length << 32 | UInt64(UInt32(truncatingIfNeeded: firstToken)), rank << 32 | UInt64(k))
                    k += 1
                }
            }
        }
        KeySort.sort(order, comparisons: &steps)
        // Each candidate's first and end token as cells of the line cut at every candidate's
        // ends (one sort for all, no search per candidate later).
        let cellFirst = storage.cellFirst, cellEnd = storage.cellEnd
        let cellCount = TakenTokens.cells(first: first, end: end, ends: storage.words, cellFirst: cellFirst, cellEnd: cellEnd,
                                          steps: &steps)
        var taken = TakenTokens(storage.cellStorage(cellCount))
        // Where every candidate covers a cell, the winners, being disjoint, have distinct first
        // cells: each is written at its first cell (index + 1, 0 for none), and the cells read
        // in order list them by start, with no sort. Otherwise (an empty range, which the
        // public API allows) they are kept as keys (first token and index) and sorted. Both in
        // the storage the ends were sorted in; the winners are then copied once into an array
        // of their exact size.
        let chosen = storage.words
        var byCell = true
        for k in 0..<storage.count where cellFirst[k] >= cellEnd[k] {
            byCell = false
            break
        }
        if byCell { UnsafeMutableBufferPointer(rebasing: chosen[0..<cellCount]).update(repeating: 0) }
        var chosenCount = 0
        for key in order {
            let index = Int(truncatingIfNeeded: key.second & 0xFFFF_FFFF)
            let a = Int(cellFirst[index]), b = Int(cellEnd[index])
            if taken.anyTaken(a, b) { continue }
            taken.take(a, b)
            if byCell {
                chosen[a] = UInt64(index) + 1
            } else {
                chosen[chosenCount] = UInt64(UInt32(bitPattern: first[index])) << 32 | UInt64(index)
            }
            chosenCount += 1
        }
        steps += taken.steps
        if byCell {
            // Compacted to the front in cell order (a winner moves down or stays: the write
            // position never passes the read position).
            var w = 0
            for c in 0..<cellCount where chosen[c] != 0 {
                chosen[w] = chosen[c] - 1
                w += 1
            }
            steps += cellCount
        }
        let keys = UnsafeMutableBufferPointer(rebasing: chosen[0..<chosenCount])
        if !byCell { KeySort.sort(keys, comparisons: &steps) }
        var winners: [Span] = []
        winners.reserveCapacity(chosenCount)
        for key in keys {
            // The group of flat index `index`: few groups, counted through.
            var index = Int(truncatingIfNeeded: key & 0xFFFF_FFFF), g = 0
            while index >= groups[g].spans.count {
                index -= groups[g].spans.count
                g += 1
            }
            winners.append(groups[g].spans[index])
        }
        return winners
    }
}

/// The working storage of one ``ResolutionPolicy/resolve(_:steps:)-([SpanGroup],_)`` call over
/// `count` candidates, in three buffers the caller allocates (``int32Count(_:)``, `2 * count`
/// and `count` elements): the candidates' first and end tokens and their cells (`count` each),
/// then room for a ``TakenTokens`` of up to `2 * count` cells; the ends to sort, later the
/// winners' keys; the resolution order. The buffers are uninitialised: each part is written
/// before it is read.
struct ResolutionStorage {
    let count: Int
    let ints: UnsafeMutableBufferPointer<Int32>
    let words: UnsafeMutableBufferPointer<UInt64>
    let order: UnsafeMutableBufferPointer<KeyPair>

    /// The 32-bit numbers `count` candidates need: four per candidate, and a tree and flags of
    /// up to two cells per candidate (and one).
    static func int32Count(_ count: Int) -> Int { 8 * count + 1 }

    init(count: Int, ints: UnsafeMutableBufferPointer<Int32>, words: UnsafeMutableBufferPointer<UInt64>,
         order: UnsafeMutableBufferPointer<KeyPair>) {
        precondition(ints.count >= Self.int32Count(count) && words.count >= 2 * count && order.count >= count)
        self.count = count
        self.ints = ints
        self.words = words
        self.order = order
    }

    private func part(_ k: Int) -> UnsafeMutableBufferPointer<Int32> { UnsafeMutableBufferPointer(rebasing: ints[(k * count)..<((k + 1) * count)]) }
    var first: UnsafeMutableBufferPointer<Int32> { part(0) }
    var end: UnsafeMutableBufferPointer<Int32> { part(1) }
    var cellFirst: UnsafeMutableBufferPointer<Int32> { part(2) }
    var cellEnd: UnsafeMutableBufferPointer<Int32> { part(3) }

    /// The rest, for a ``TakenTokens`` of `cellCount` cells (at most `2 * count`).
    func cellStorage(_ cellCount: Int) -> UnsafeMutableBufferPointer<Int32> {
        precondition(cellCount <= 2 * count)
        return UnsafeMutableBufferPointer(rebasing: ints[(4 * count)..<(4 * count + 2 * cellCount + 1)])
    }
}

/// A set of taken token ranges, for "is any token of [first, end) taken?" and "take [first,
/// end)" in O(log n) each, where the ranges' ends are among the candidates' own ends.
///
/// Those ends, sorted and deduplicated, cut the token line into cells (cell i is [b[i],
/// b[i+1])), and ``cells(first:end:ends:cellFirst:cellEnd:steps:)`` gives each range its cells
/// once; a Fenwick tree counts the taken cells. A taken range covers whole cells, and ranges are
/// taken only when no cell of theirs is, so every cell is taken at most once: n candidates cost
/// O(n log n) in all. Over the ranges [0, 2) and [1, 5), the ends 0, 1, 2, 5 make the cells
/// [0, 1) [1, 2) [2, 5): `take(0, 2)` (cells 0 and 1), then `anyTaken(1, 3)` is true.
///
/// The tree and the taken flags lie in storage the caller owns (`2 * cellCount + 1` numbers,
/// zeroed here), which must outlive the set.
struct TakenTokens {
    /// The Fenwick tree, `cellCount + 1` counts.
    private let tree: UnsafeMutableBufferPointer<Int32>
    /// 1 for a taken cell, `cellCount` flags; or, for a set of at most ``smallCells`` cells, a
    /// bit per cell (32 in each number), without the tree.
    private let taken: UnsafeMutableBufferPointer<Int32>
    /// Whether the cells are bits of `taken` (a document's few dozen candidates): a question
    /// or a take reads or writes at most `smallCells / 32` numbers, fewer steps than the tree's.
    private let small: Bool
    static let smallCells = 256
    /// Elementary steps taken so far (tree steps), for work tests.
    private(set) var steps = 0

    /// A set of no taken cells over `storage` (an odd count: `2 * cellCount + 1`).
    init(_ storage: UnsafeMutableBufferPointer<Int32>) {
        precondition(storage.count % 2 == 1)
        let cellCount = storage.count / 2
        storage.initialize(repeating: 0)
        tree = UnsafeMutableBufferPointer(rebasing: storage[0...cellCount])
        taken = UnsafeMutableBufferPointer(rebasing: storage[(cellCount + 1)...])
        small = cellCount <= Self.smallCells
        steps = cellCount
    }

    /// The cells of ranges [first[k], end[k]): each end's index among the distinct ends of all
    /// ranges, into `cellFirst` and `cellEnd` (of the same count), sorting in `ends` (twice
    /// that count). Returns the number of distinct ends. O(n log n): one sort of the ends,
    /// counted into `steps`.
    static func cells(first: UnsafeMutableBufferPointer<Int32>, end: UnsafeMutableBufferPointer<Int32>, ends: UnsafeMutableBufferPointer<UInt64>,
                      cellFirst: UnsafeMutableBufferPointer<Int32>, cellEnd: UnsafeMutableBufferPointer<Int32>, steps: inout Int) -> Int {
        let n = first.count
        precondition(end.count == n && cellFirst.count == n && cellEnd.count == n && ends.count >= 2 * n)
        if let count = cellsByBitmap(first: first, end: end, words: ends, cellFirst: cellFirst, cellEnd: cellEnd, steps: &steps) {
            return count
        }
        // (value, which end of which range), sorted by value.
        for k in 0..<n {
            ends[2 * k] = UInt64(UInt32(bitPattern: first[k])) << 32 | UInt64(2 * k)
            ends[2 * k + 1] = UInt64(UInt32(bitPattern: end[k])) << 32 | UInt64(2 * k + 1)
        }
        let sorted = UnsafeMutableBufferPointer(rebasing: ends[0..<(2 * n)])
        KeySort.sort(sorted, comparisons: &steps)
        var cell = -1
        var last: UInt64 = .max
        for e in sorted {
            let value = e >> 32
            if value != last { cell += 1; last = value }
            let which = Int(truncatingIfNeeded: e & 0xFFFF_FFFF)
            if which & 1 == 0 { cellFirst[which >> 1] = Int32(truncatingIfNeeded: cell) } else { cellEnd[which >> 1] = Int32(truncatingIfNeeded: cell) }
        }
        return cell + 1
    }

    /// ``cells(first:end:ends:cellFirst:cellEnd:steps:)`` without a sort, where the ends lie in a
    /// short stretch of the token line (a document's candidates do: their tokens): a bit per
    /// token of the stretch marks the ends, and an end's cell is the number of marked bits before
    /// its own. The bits and a running count per 64 of them take `2 * w` of `words`, for `w`
    /// words of bits; nil (nothing done) where `w` is over half of `words`. Values are ordered as
    /// the sort orders them, by their 32 bits unsigned.
    static func cellsByBitmap(first: UnsafeMutableBufferPointer<Int32>, end: UnsafeMutableBufferPointer<Int32>,
                              words: UnsafeMutableBufferPointer<UInt64>, cellFirst: UnsafeMutableBufferPointer<Int32>,
                              cellEnd: UnsafeMutableBufferPointer<Int32>, steps: inout Int) -> Int? {
        let n = first.count
        guard n > 0 else { return nil }
        var lo = UInt32.max, hi: UInt32 = 0
        for k in 0..<n {
            let a = UInt32(bitPattern: first[k]), b = UInt32(bitPattern: end[k])
            lo = min(lo, min(a, b))
            hi = max(hi, max(a, b))
        }
        let w = Int((hi - lo) / 64) + 1
        guard 2 * w <= words.count else { return nil }
        let bits = UnsafeMutableBufferPointer(rebasing: words[0..<w])
        let before = UnsafeMutableBufferPointer(rebasing: words[w..<(2 * w)])
        bits.update(repeating: 0)
        @inline(__always) func mark(_ v: Int32) {
            let d = Int(UInt32(bitPattern: v) - lo)
            bits[d >> 6] |= 1 << UInt64(d & 63)
        }
        for k in 0..<n {
            mark(first[k])
            mark(end[k])
        }
        var total: UInt64 = 0
        for i in 0..<w {
            before[i] = total
            total += UInt64(bits[i].nonzeroBitCount)
        }
        @inline(__always) func cell(_ v: Int32) -> Int32 {
            let d = Int(UInt32(bitPattern: v) - lo)
            let below = bits[d >> 6] & ((1 << UInt64(d & 63)) - 1)
            return Int32(truncatingIfNeeded: before[d >> 6] + UInt64(below.nonzeroBitCount))
        }
        for k in 0..<n {
            cellFirst[k] = cell(first[k])
            cellEnd[k] = cell(end[k])
        }
        steps += 3 * n + w
        return Int(total)
    }

    /// Taken cells among the first `n`.
    private mutating func prefix(_ n: Int) -> Int32 {
        var i = n, sum: Int32 = 0
        while i > 0 { steps += 1; sum += tree[i]; i &= i - 1 }
        return sum
    }

    /// The bits of cells [a, b) (not empty) in number `w` of `taken`, for the small set.
    @inline(__always)
    private static func bits(_ w: Int, _ a: Int, _ b: Int) -> UInt32 {
        var m = ~UInt32(0)
        if w == a >> 5 { m &= ~UInt32(0) << UInt32(a & 31) }
        if w == (b - 1) >> 5 { m &= ~UInt32(0) >> UInt32(31 - ((b - 1) & 31)) }
        return m
    }

    /// Whether any of the cells [a, b) is taken.
    mutating func anyTaken(_ a: Int, _ b: Int) -> Bool {
        guard a < b else { return false }
        if small {
            for w in (a >> 5)...((b - 1) >> 5) {
                steps += 1
                if UInt32(bitPattern: taken[w]) & Self.bits(w, a, b) != 0 { return true }
            }
            return false
        }
        return prefix(b) - prefix(a) > 0
    }

    /// Takes the cells [a, b).
    mutating func take(_ a: Int, _ b: Int) {
        guard a < b else { return }
        if small {
            for w in (a >> 5)...((b - 1) >> 5) {
                steps += 1
                taken[w] = Int32(bitPattern: UInt32(bitPattern: taken[w]) | Self.bits(w, a, b))
            }
            return
        }
        for c in a..<b where taken[c] == 0 {
            taken[c] = 1
            var i = c + 1
            while i < tree.count { steps += 1; tree[i] += 1; i += i & -i }
        }
    }
}

/// Aho-Corasick over a compiled gazetteer's token trie: every match found in time linear in the
/// tokens plus the matches, however long the names.
///
/// The matcher's usual walk starts at every token and follows the trie as far as the text goes,
/// which costs up to the longest name's length per token: with a name of 200,000 tokens "a a a
/// …" over a text of the same tokens it is quadratic. When some name is longer than
/// ``walkDepth`` tokens, matching runs this automaton instead: a failure link per node (the
/// longest proper suffix of its token path that is also a trie node) and an output link (the
/// nearest such suffix with entries), computed once from the trie's edge table. It reports the
/// same matches as the walk (the caller restores the walk's order, by start then length).
///
/// Over the names "a b" and "b c" and the text "a b c": state "a" -> "a b" (match [0,1]) ->
/// fail to "b" -> "b c" (match [1,2]).
final class GazetteerAutomaton: @unchecked Sendable {
    /// Longest name (in tokens) for which the walk is used: its work is at most this per token.
    static let walkDepth = 64

    /// Per node: failure link, output link (0: none), depth in tokens (UInt32.max: unreachable
    /// in a damaged file), whether it has entries.
    private let fail: [UInt32]
    private let output: [UInt32]
    private let depth: [UInt32]
    private let hasEntries: [Bool]
    let maxDepth: Int

    private init(fail: [UInt32], output: [UInt32], depth: [UInt32], hasEntries: [Bool], maxDepth: Int) {
        self.fail = fail
        self.output = output
        self.depth = depth
        self.hasEntries = hasEntries
        self.maxDepth = maxDepth
    }

    /// The depth of the deepest node (the longest name in tokens), in one pass over the edges.
    static func depths(_ image: GazetteerImage) -> (parent: [UInt32], key: [UInt64], depth: [UInt32], entries: [Bool], max: Int) {
        let n = image.nodeCount
        var parent = [UInt32](repeating: 0, count: n)
        var key = [UInt64](repeating: 0, count: n)
        var entries = [Bool](repeating: false, count: n)
        var seen = [Bool](repeating: false, count: n)
        let slots = image.slotView
        for s in 0..<slots.count {
            let slot = slots[s]
            let id = Int(slot.child & GLZ.nodeMask)
            guard slot.child != 0, id > 0, id < n, !seen[id] else { continue }
            seen[id] = true
            parent[id] = slot.parent
            key[id] = slot.key
            entries[id] = slot.child & GLZ.hasEntriesBit != 0
        }
        // The compiler numbers a node after its parent; a node that breaks this (a damaged or
        // crafted file) is left unreachable rather than followed.
        var depth = [UInt32](repeating: .max, count: n)
        depth[0] = 0
        var deepest = 0
        for id in 1..<max(n, 1) where seen[id] && parent[id] < UInt32(id) && depth[Int(parent[id])] != .max {
            depth[id] = depth[Int(parent[id])] + 1
            deepest = max(deepest, Int(depth[id]))
        }
        return (parent, key, depth, entries, deepest)
    }

    /// The automaton when some name is longer than ``walkDepth``, else nil.
    static func build(_ image: GazetteerImage, threshold: Int = walkDepth) -> GazetteerAutomaton? {
        let (parent, key, depth, entries, deepest) = depths(image)
        guard deepest > threshold else { return nil }
        let n = image.nodeCount
        // Nodes in order of depth (a counting sort), so that a node's suffixes come first.
        var start = [Int](repeating: 0, count: deepest + 2)
        for d in depth where d != .max { start[Int(d) + 1] += 1 }
        for d in 0...deepest { start[d + 1] += start[d] }
        var order = [UInt32](repeating: 0, count: start[deepest + 1])
        for id in 0..<n where depth[id] != .max {
            order[start[Int(depth[id])]] = UInt32(id)
            start[Int(depth[id])] += 1
        }
        var fail = [UInt32](repeating: 0, count: n)
        var output = [UInt32](repeating: 0, count: n)
        for id32 in order {
            let id = Int(id32)
            guard depth[id] >= 2 else { continue }  // the root and its children fail to the root
            var f = fail[Int(parent[id])]
            var link: UInt32 = 0
            while true {
                let c = image.child(f, key[id]) & GLZ.nodeMask
                if c != 0 { link = c; break }
                if f == 0 { break }
                f = fail[Int(f)]
            }
            // A suffix is shorter: anything else comes from a damaged file and is not followed.
            if depth[Int(link)] == .max || depth[Int(link)] >= depth[id] { link = 0 }
            fail[id] = link
            output[id] = entries[Int(link)] ? link : output[Int(link)]
        }
        return GazetteerAutomaton(fail: fail, output: output, depth: depth, hasEntries: entries, maxDepth: deepest)
    }

    /// Runs over the `count` token keys; calls `emit(s, e, node)` for each match of tokens
    /// s...e ending at a node with entries, by end, longest first. Returns the steps taken:
    /// trie steps plus failure steps plus matches, at most 2 per token plus 1 per match.
    func run(keys: UnsafeMutableBufferPointer<UInt64>, count m: Int, image: GazetteerImage,
             cache: UnsafeMutablePointer<GazetteerScratch.Slot>?, emit: (Int, Int, UInt32) -> Void) -> Int {
        var state: UInt32 = 0
        var length = 0  // tokens matched by `state`
        var steps = 0
        for e in 0..<m {
            let key = keys[e]
            while true {
                steps &+= 1
                let c = image.cachedChild(state, key, cache) & GLZ.nodeMask
                if c != 0, depth[Int(c)] != .max {
                    state = c
                    length += 1
                    break
                }
                if state == 0 { length = 0; break }
                state = fail[Int(state)]
                length = state == 0 ? 0 : min(length - 1, Int(depth[Int(state)]))
            }
            var v = hasEntries[Int(state)] ? state : output[Int(state)]
            while v != 0 {
                steps &+= 1
                let d = Int(depth[Int(v)])
                if d >= 1, d <= length { emit(e - d + 1, e, v) }
                v = output[Int(v)]
            }
        }
        return steps
    }
}

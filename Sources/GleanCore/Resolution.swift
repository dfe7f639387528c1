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
        for k in spans.indices {
            var s = spans[k]
            // First token whose end > matchStart.
            var lo = 0, hi = tokens.count
            while lo < hi { let mid = (lo + hi) / 2; if tokens[mid].end > s.matchStart { hi = mid } else { lo = mid + 1 } }
            let first = lo
            // First token whose start >= matchEnd; the last covered one is just before it.
            lo = first; hi = tokens.count
            while lo < hi { let mid = (lo + hi) / 2; if tokens[mid].start >= s.matchEnd { hi = mid } else { lo = mid + 1 } }
            let endToken = lo
            guard first < endToken else { continue }
            s.firstToken = first
            s.endToken = endToken
            s.start = tokens[first].start
            s.end = tokens[endToken - 1].end
            spans[kept] = s
            kept += 1
        }
        spans.removeLast(spans.count - kept)
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
    public func resolve(_ candidates: [Span]) -> [Span] {
        guard candidates.count > 1 else { return candidates }
        let order = candidates.indices.sorted { a, b in
            let x = candidates[a], y = candidates[b]
            if x.tokenLength != y.tokenLength { return x.tokenLength > y.tokenLength }
            if x.firstToken != y.firstToken { return x.firstToken < y.firstToken }
            if x.priority != y.priority { return x.priority > y.priority }
            return a < b
        }
        // Accepted token ranges, kept sorted by start, for an overlap test by binary search.
        var taken: [(first: Int, end: Int)] = []
        var winners: [Span] = []
        for index in order {
            let s = candidates[index]
            var lo = 0, hi = taken.count
            while lo < hi { let mid = (lo + hi) / 2; if taken[mid].first < s.endToken { lo = mid + 1 } else { hi = mid } }
            // taken[lo-1] is the last range starting before s ends: it overlaps if it ends after s starts.
            if lo > 0, taken[lo - 1].end > s.firstToken { continue }
            taken.insert((s.firstToken, s.endToken), at: lo)
            winners.append(s)
        }
        winners.sort { $0.firstToken < $1.firstToken }
        return winners
    }
}

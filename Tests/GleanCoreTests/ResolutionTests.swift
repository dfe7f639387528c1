import GleanCore
import GleanTestSupport
import Testing

/// Token alignment (spaCy's `alignment_mode="expand"`) and the `longest` resolution policy
/// (spaCy's `filter_spans`), against tables taken from spaCy 3.8 and a naive reference.
struct ResolutionTests {
    /// Tokens of "New York City Hall": New [0,3) York [4,8) City [9,13) Hall [14,18).
    static let nych: [Token] = [
        Token(start: 0, end: 3, kind: .word), Token(start: 4, end: 8, kind: .word),
        Token(start: 9, end: 13, kind: .word), Token(start: 14, end: 18, kind: .word),
    ]

    /// Tokens of "a  b.": a [0,1) + trailing space, the whitespace token [2,3), b [3,4), . [4,5).
    static let spaced: [Token] = [
        Token(start: 0, end: 1, kind: .word), Token(start: 2, end: 3, kind: .space),
        Token(start: 3, end: 4, kind: .word), Token(start: 4, end: 5, kind: .punct),
    ]

    static func span(_ first: Int, _ end: Int, priority: Int = 0, label: String = "L") -> Span {
        var s = Span(matchStart: 0, matchEnd: 0, label: label, source: .pattern, name: label, priority: priority)
        s.firstToken = first
        s.endToken = end
        return s
    }

    // MARK: TokenAlignment.expand

    /// (tokens, match start, match end, expected token range or nil when dropped). The expected
    /// ranges are spaCy's `doc.char_span(a, b, alignment_mode="expand")`; where spaCy returns an
    /// empty span (the match touches no token), Glean drops the candidate.
    static let expandTable: [(String, Int, Int, Range<Int>?)] = [
        ("nych", 1, 6, 0..<2),  // "ew Yo" -> "New York"
        ("nych", 0, 3, 0..<1),
        ("nych", 3, 4, nil),  // a space between tokens
        ("nych", 3, 5, 1..<2),
        ("nych", 0, 18, 0..<4),
        ("nych", 8, 9, nil),
        ("nych", 17, 18, 3..<4),
        ("nych", 5, 5, 1..<2),  // empty, inside "York"
        ("nych", 4, 4, nil),  // empty, at a token start
        ("nych", 3, 3, nil),
        ("nych", 2, 10, 0..<3),
        ("nych", 8, 10, 2..<3),
        ("nych", 12, 14, 2..<3),
        ("nych", 13, 14, nil),
        ("nych", 3, 9, 1..<2),
        ("nych", 0, 0, nil),
        ("nych", 18, 18, nil),
        ("spaced", 1, 2, nil),  // the trailing space of "a"
        ("spaced", 1, 3, 1..<2),  // reaches the whitespace token
        ("spaced", 2, 3, 1..<2),
        ("spaced", 0, 2, 0..<1),
        ("spaced", 1, 4, 1..<3),
        ("spaced", 3, 5, 2..<4),
        ("spaced", 4, 5, 3..<4),
        ("spaced", 0, 5, 0..<4),
    ]

    @Test(arguments: expandTable)
    func expand(tokens name: String, matchStart: Int, matchEnd: Int, expected: Range<Int>?) {
        let tokens = name == "nych" ? Self.nych : Self.spaced
        var spans = [Span(matchStart: matchStart, matchEnd: matchEnd, label: "X", source: .pattern, name: "x")]
        TokenAlignment.expand(&spans, tokens: tokens)
        if let expected {
            #expect(spans.count == 1)
            if let s = spans.first {
                #expect(s.firstToken..<s.endToken == expected)
                #expect(s.start == tokens[expected.lowerBound].start && s.end == tokens[expected.upperBound - 1].end)
                #expect(s.matchStart == matchStart && s.matchEnd == matchEnd, "the raw match is kept")
            }
        } else {
            #expect(spans.isEmpty)
        }
    }

    /// Random tokens (with gaps) and matches: expand keeps exactly the tokens that overlap the
    /// match (start < matchEnd and end > matchStart), in input order, and drops the rest.
    @Test func expandMatchesNaiveOverlap() {
        var rng = TestRandom("expandMatchesNaiveOverlap")
        for _ in 0..<5000 {
            var tokens: [Token] = []
            var pos = 0
            // Up to 80 tokens and 30 spans, in random order or in text order (the order that
            // lets the search start from the previous span's tokens).
            for _ in 0..<Int.random(in: 0...(rng.next() % 2 == 0 ? 12 : 80), using: &rng) {
                pos += Int.random(in: 0...2, using: &rng)
                let len = Int.random(in: 1...4, using: &rng)
                tokens.append(Token(start: pos, end: pos + len, kind: .word))
                pos += len
            }
            let textEnd = pos + Int.random(in: 0...2, using: &rng)
            var spans: [Span] = []
            var ranges: [(Int, Int)] = []
            for _ in 0..<Int.random(in: 0...30, using: &rng) {
                let a = Int.random(in: 0...textEnd, using: &rng)
                ranges.append((a, Int.random(in: a...min(textEnd, a + Int.random(in: 0...12, using: &rng)), using: &rng)))
            }
            if rng.next() % 2 == 0 { ranges.sort { $0.0 < $1.0 } }
            for (k, (a, b)) in ranges.enumerated() {
                spans.append(Span(matchStart: a, matchEnd: b, label: "\(k)", source: .gazetteer, name: "n"))
            }
            var expected: [(label: String, range: Range<Int>)] = []
            for s in spans {
                let covered = tokens.indices.filter { tokens[$0].start < s.matchEnd && tokens[$0].end > s.matchStart }
                if let f = covered.first, let l = covered.last { expected.append((s.label, f..<(l + 1))) }
            }
            var got = spans
            TokenAlignment.expand(&got, tokens: tokens)
            #expect(got.map(\.label) == expected.map(\.label), "\(rng.label)")
            for (g, e) in zip(got, expected) {
                #expect(g.firstToken..<g.endToken == e.range, "\(rng.label)")
                #expect(g.start == tokens[e.range.lowerBound].start && g.end == tokens[e.range.upperBound - 1].end, "\(rng.label)")
            }
        }
    }

    // MARK: Resolution

    /// The documented example: over "New York City Hall", "New York" and "New York City" give
    /// "New York City".
    @Test func newYorkCityHall() {
        var candidates = [
            Span(matchStart: 0, matchEnd: 8, label: "GPE", source: .gazetteer, name: "New York"),
            Span(matchStart: 0, matchEnd: 13, label: "GPE", source: .gazetteer, name: "New York City"),
        ]
        TokenAlignment.expand(&candidates, tokens: Self.nych)
        let winners = ResolutionPolicy.longest.resolve(candidates)
        #expect(winners.map(\.name) == ["New York City"])
        #expect(winners.first?.start == 0 && winners.first?.end == 13)
        // Candidates given in the other order give the same result.
        #expect(ResolutionPolicy.longest.resolve(candidates.reversed()).map(\.name) == ["New York City"])
    }

    /// (candidates as (first, end, priority), winners as indices into the candidates).
    static let resolveTable: [([(Int, Int, Int)], [Int])] = [
        ([], []),
        ([(0, 1, 0)], [0]),
        ([(0, 2, 0), (1, 3, 0), (2, 4, 0)], [0, 2]),  // equal length: the earlier start wins
        ([(1, 3, 0), (0, 2, 0)], [1]),
        ([(0, 2, 0), (0, 2, 5)], [1]),  // same range: higher priority wins
        ([(0, 2, 5), (0, 2, 0)], [0]),
        ([(0, 2, 3), (0, 2, 3)], [0]),  // full tie: the first given
        ([(1, 2, 9), (0, 3, 0)], [1]),  // length beats priority
        ([(0, 1, 0), (1, 2, 0), (2, 3, 0)], [0, 1, 2]),  // adjacent spans do not overlap
        ([(2, 5, 0), (0, 3, 0), (4, 7, 0), (6, 9, 0)], [1, 2]),  // all of length 3: greedy from the left
    ]

    @Test(arguments: resolveTable)
    func resolve(candidates: [(Int, Int, Int)], winners: [Int]) {
        let spans = candidates.enumerated().map { Self.span($1.0, $1.1, priority: $1.2, label: "\($0)") }
        #expect(ResolutionPolicy.longest.resolve(spans).map(\.label) == winners.map { "\($0)" })
    }

    /// spaCy's `filter_spans`, written naively: sort by (token length desc, start asc, priority
    /// desc, input order), then keep each span none of whose tokens is taken yet.
    static func naiveFilterSpans(_ spans: [Span]) -> [Span] {
        let order = spans.indices.sorted { a, b in
            let x = spans[a], y = spans[b]
            let kx = (-(x.endToken - x.firstToken), x.firstToken, -x.priority, a)
            let ky = (-(y.endToken - y.firstToken), y.firstToken, -y.priority, b)
            return kx < ky
        }
        var seen = Set<Int>()
        var result: [Span] = []
        for i in order {
            let s = spans[i]
            let range = s.firstToken..<s.endToken
            if range.allSatisfy({ !seen.contains($0) }) {
                result.append(s)
                seen.formUnion(range)
            }
        }
        return result.sorted { $0.firstToken < $1.firstToken }
    }

    @Test func resolveMatchesNaiveFilterSpans() {
        var rng = TestRandom("resolveMatchesNaiveFilterSpans")
        for _ in 0..<20_000 {
            let tokenCount = Int.random(in: 1...30, using: &rng)
            let spans: [Span] = (0..<Int.random(in: 0...25, using: &rng)).map { k in
                let first = Int.random(in: 0..<tokenCount, using: &rng)
                let end = Int.random(in: (first + 1)...min(tokenCount, first + 6), using: &rng)
                return Self.span(first, end, priority: Int.random(in: 0...2, using: &rng), label: "\(k)")
            }
            let got = ResolutionPolicy.longest.resolve(spans)
            let expected = Self.naiveFilterSpans(spans)
            #expect(got.map(\.label) == expected.map(\.label), "\(rng.label): \(spans.map { ($0.firstToken, $0.endToken, $0.priority) })")
            // Invariants: sorted, non-overlapping, and every loser overlaps a winner.
            for (a, b) in zip(got, got.dropFirst()) { #expect(a.endToken <= b.firstToken, "\(rng.label)") }
            let winners = Set(got.map(\.label))
            for s in spans where !winners.contains(s.label) {
                #expect(got.contains { $0.firstToken < s.endToken && s.firstToken < $0.endToken }, "\(rng.label)")
            }
        }
    }

    /// The same over longer documents and more candidates: cells past one word of bits, ends
    /// spread over several words of the bitmap, and ranges too spread for it (the sort).
    @Test func resolveMatchesNaiveFilterSpansWide() {
        var rng = TestRandom("resolveMatchesNaiveFilterSpansWide")
        for _ in 0..<2_000 {
            let tokenCount = Int.random(in: 1...3_000, using: &rng)
            let spread = Int.random(in: 1...40, using: &rng)
            let spans: [Span] = (0..<Int.random(in: 0...160, using: &rng)).map { k in
                let first = Int.random(in: 0..<tokenCount, using: &rng)
                let end = Int.random(in: (first + 1)...min(tokenCount, first + spread), using: &rng)
                return Self.span(first, end, priority: Int.random(in: -1...2, using: &rng), label: "\(k)")
            }
            let got = ResolutionPolicy.longest.resolve(spans)
            let expected = Self.naiveFilterSpans(spans)
            #expect(got.map(\.label) == expected.map(\.label), "\(rng.label)")
        }
    }
}

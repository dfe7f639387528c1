import GleanCore
import GleanPatterns
import Testing

@Suite("Guard against catastrophic backtracking")
struct GuardTests {
    @Test("(a+)+$ against 5,000 a's and a b finishes and warns; other patterns go on",
          .timeLimit(.minutes(1)))
    func catastrophic() throws {
        let set = try PatternSet(yaml: """
            - {name: evil, label: X, regex: '(a+)+$'}
            - {name: b, label: B, regex: 'b'}
            """, file: "guard.yaml")
        let text = String(repeating: "a", count: 5000) + "b"
        let (spans, warnings) = set.matches(in: text)
        #expect(warnings.count == 1)
        let w = try #require(warnings.first)
        #expect(w.stage == "patterns" && w.name == "evil")
        #expect(w.reason.contains("limit"), "\(w.reason)")
        #expect(spans.map(\.name) == ["b"])
        #expect(spans.first.map { [$0.matchStart, $0.matchEnd] } == [5000, 5001])
    }

    /// Pieces that exhaust a limit at candidate positions: while a piece is young PCRE2's
    /// interpreter runs it, and a call that it does not settle goes to the JIT at once, so the
    /// warnings and spans are those of the JIT-compiled piece (the JIT knows no depth limit, and
    /// counts the match limit in its own way).
    @Test("a limit hit at a candidate warns the same whether the piece is interpreted first or JIT-compiled",
          arguments: [
              ("(?<![a-z])(a+)+$", String(repeating: "a", count: 3000) + "b", nil),
              ("\\b(a|aa)+[0-9]", String(repeating: "a", count: 80) + " b 7", nil),
              ("\\b(?:x+x+)+y", "xx " + String(repeating: "x", count: 60) + " xy", nil),
              ("\\b(?:ab)+c", "x " + String(repeating: "ab", count: 40) + "c abc", 8),
              ("\\b(?:a|b)+?c", "x " + String(repeating: "ab", count: 40) + "c abc", 8),
              ("\\b[0-9]+%", "up 12% and 30%", nil),
          ] as [(String, String, UInt32?)])
    func limitAtCandidates(regex: String, text: String, depthLimit: UInt32?) throws {
        var results: [[String]] = []
        for jitAfter in [0, Int.max] {
            var limits = PatternLimits()
            limits.jitAfter = jitAfter
            var def = PatternDefinition(name: "p", label: "X", regex: regex)
            def.depthLimit = depthLimit
            let set = try PatternSet(definitions: [def], limits: limits)
            #expect(!set.planDescription(pattern: 0).hasPrefix("scan"), "\(set.planDescription(pattern: 0))")
            let (spans, warnings) = set.matches(in: text)
            results.append(warnings.map { "\($0.name): \($0.reason)" } + spans.map { "\($0.matchStart)-\($0.matchEnd)" })
        }
        #expect(results[0] == results[1])
        #expect(!results[0].isEmpty)
    }

    @Test("a per-pattern match_limit applies")
    func perPatternLimit() throws {
        let set = try PatternSet(yaml: "- {name: slow, label: X, regex: '(a|aa)+[0-9]', match_limit: 1000}\n", file: "g.yaml")
        let (_, warnings) = set.matches(in: String(repeating: "a", count: 60))
        #expect(warnings.map(\.name) == ["slow"])
    }
}

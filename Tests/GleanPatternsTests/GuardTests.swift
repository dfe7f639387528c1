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

    @Test("a per-pattern match_limit applies")
    func perPatternLimit() throws {
        let set = try PatternSet(yaml: "- {name: slow, label: X, regex: '(a|aa)+[0-9]', match_limit: 1000}\n", file: "g.yaml")
        let (_, warnings) = set.matches(in: String(repeating: "a", count: 60))
        #expect(warnings.map(\.name) == ["slow"])
    }
}

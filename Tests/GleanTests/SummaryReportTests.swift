import Glean
import Testing

/// The end summary says why records failed.
struct SummaryReportTests {
    @Test func reasonsAreGroupedByKindInFirstSeenOrder() {
        var r = FailureReasons()
        r.note("invalid JSON: expected ':' after a key at byte 9 of the line")
        r.note("no \"text\" field")
        r.note("invalid JSON: expected ':' after a key at byte 14 of the line")
        #expect(r.entries.map(\.reason) == ["invalid JSON: expected ':' after a key", "no \"text\" field"])
        #expect(r.entries.map(\.count) == [2, 1])
        // A reason that only mentions a byte elsewhere is kept whole.
        #expect(FailureReasons.kind(of: "x at byte 3 of the file, then more") == "x at byte 3 of the file, then more")
    }

    @Test func distinctReasonsAreBounded() {
        var r = FailureReasons()
        for i in 0..<100 { r.note("reason \(i)") }
        #expect(r.entries.count == FailureReasons.kept)
    }

    @Test func summaryListsReasonsAndHintsAtPlainText() {
        var st = RunStatistics()
        st.errors = 5
        for _ in 0..<4 { st.failureReasons.note("invalid JSON: not JSON (a record must be a JSON object) at byte 0 of the line") }
        var other = RunStatistics()
        other.failureReasons.note("no \"text\" field")
        st.add(other)
        let lines = SummaryReport.failureLines(st)
        #expect(lines.first == "  failed: invalid JSON: not JSON (a record must be a JSON object) (4); no \"text\" field (1)")
        #expect(lines.contains { $0.contains("--format text") })

        var mostlyFields = RunStatistics()
        mostlyFields.errors = 3
        for _ in 0..<3 { mostlyFields.failureReasons.note("no \"text\" field") }
        #expect(!SummaryReport.failureLines(mostlyFields).contains { $0.contains("--format text") })
        #expect(SummaryReport.failureLines(RunStatistics()).isEmpty)
    }
}

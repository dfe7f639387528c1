import Foundation
import Testing

/// `glean bench` with the default models on a small corpus: it must finish (a row whose counts
/// differ from the reference pipeline run stops it with an error), write exactly one JSON
/// document, and report in every row the counts of the reference run.
struct BenchCLITests {
    @Test func everyRowDoesTheReferenceRunsWork() throws {
        let r = try CLITests.run(["bench", "--size", "1", "--rounds", "1", "--gazetteer-sizes", "", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let reference = try #require(report["reference"] as? [String: Int])
        #expect((reference["documents"] ?? 0) > 0 && (reference["entities"] ?? 0) > 0)
        let rows = (report["stages"] as? [[String: Any]] ?? []) + (report["end_to_end"] as? [[String: Any]] ?? [])
        #expect(rows.contains { $0["id"] as? String == "resolution" })
        #expect(rows.contains { ($0["id"] as? String)?.hasPrefix("pipeline-") == true })
        // Each entity stage (patterns, gazetteer, names) finds candidates in the sample.
        let stageRows = rows.filter { ($0["id"] as? String)?.hasPrefix("stage-") == true }
        #expect(stageRows.count >= 3)
        for row in stageRows {
            let counts = row["counts"] as? [String: Int] ?? [:]
            #expect((counts["other"] ?? 0) > 0, "\(row["name"] ?? "?") found no candidates")
        }
        for row in rows {
            let counts = try #require(row["counts"] as? [String: Int], "\(row["id"] ?? "?")")
            #expect(counts["documents"] == reference["documents"], "\(row["id"] ?? "?")")
            for key in ["tokens", "sentences", "entities"] {
                if let n = counts[key] { #expect(n == reference[key], "\(row["id"] ?? "?"): \(key)") }
            }
        }
    }
}

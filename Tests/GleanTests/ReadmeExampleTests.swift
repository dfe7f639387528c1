import Foundation
import Glean
import Testing

/// The README's library example, run as written: the code between the markers below must be
/// the README's Swift block under "Using the library", line for line.
struct ReadmeExampleTests {
    static let readme = repositoryRoot.appendingPathComponent("README.md").path

    /// The README's example, with the lines of `corpus/` and `out/` resolved in a scratch directory.
    func example() throws -> (Document, RunSummary) {
        // README begin
        let annotator = try Annotator.default()
        let doc = try annotator.annotate("Flights from Sydney to Paris resumed on 3 March 2024 at 4pm, costing Qantas US$2 million.")
        for entity in doc.entities {
            print(doc.string(entity.start, entity.end), entity.label, entity.kbId, entity.value ?? "")
        }
        // Sydney GPE GeoNames:2147714
        // Paris GPE ISO3166-2:FR-75C
        // 3 March 2024 DATE  2024-03-03
        // 4pm TIME  16:00
        // Qantas ORG
        // US$2 million MONEY

        // Whole corpora: the same pipeline as the command line.
        var options = PipelineOptions()
        options.inputs = try InputExpander.expand(["corpus/"])
        options.output = .directory("out/")
        let summary = try Pipeline(annotator: annotator, options: options).run()
        print(summary.statistics.records, "documents")
        // README end
        return (doc, summary)
    }

    static func lines(between start: String, and end: String, in text: String) -> [String] {
        let all = text.components(separatedBy: "\n")
        guard let a = all.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == start }),
              let b = all[(a + 1)...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == end }) else { return [] }
        return all[(a + 1)..<b].map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func readmeShowsExactlyThisCode() throws {
        let readme = try String(contentsOfFile: Self.readme, encoding: .utf8)
        let section = readme.components(separatedBy: "## Using the library").dropFirst().first ?? ""
        var block = Self.lines(between: "```swift", and: "```", in: section)
        #expect(block.first == "import Glean")
        block.removeFirst()
        while block.first == "" { block.removeFirst() }
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let tested = Self.lines(between: "// README begin", and: "// README end", in: source)
        #expect(!tested.isEmpty)
        #expect(block == tested)
    }

    @Test func readmeExampleFindsTheEntitiesItShows() throws {
        let scratch = Scratch("readme")
        scratch.write("corpus/a.jsonl", "{\"text\":\"Rain in Sydney on Monday.\"}\n{\"text\":\"Paris at 4pm.\"}\n")
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(scratch.root)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        let (doc, summary) = try example()
        let found = doc.entities.map { "\(doc.string($0.start, $0.end)) \($0.label)" }
        #expect(found == ["Sydney GPE", "Paris GPE", "3 March 2024 DATE", "4pm TIME", "Qantas ORG", "US$2 million MONEY"])
        #expect(doc.entities.first?.kbId == "GeoNames:2147714")
        #expect(doc.entities[2].value == "2024-03-03")
        #expect(summary.statistics.records == 2)
        let out = String(decoding: scratch.read("out/a.jsonl") ?? [], as: UTF8.self)
        #expect(out.split(separator: "\n").count == 2)
        #expect(out.contains("\"label\":\"GPE\""))
    }
}

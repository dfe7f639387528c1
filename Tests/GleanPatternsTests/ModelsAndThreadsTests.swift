import Dispatch
import Foundation
import GleanCore
@testable import GleanPatterns
import Testing

@Suite("Models directory and sharing across threads")
struct ModelsAndThreadsTests {
    @Test("the default pack is found from the test binary, and GLEAN_MODELS overrides the search")
    func locate() throws {
        let found = try #require(ModelsDirectory.locate(containing: "patterns", environment: [:]))
        #expect(FileManager.default.fileExists(atPath: found.appendingPathComponent("patterns/dates.yaml").path))
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        #expect(found.standardizedFileURL.path == repo.appendingPathComponent("Models").standardizedFileURL.path)

        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("glean-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent("patterns"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        #expect(ModelsDirectory.locate(containing: "patterns", environment: ["GLEAN_MODELS": tmp.path])?.path == tmp.standardizedFileURL.path)
        // A wrong setting is not papered over by another copy.
        #expect(ModelsDirectory.locate(containing: "gazetteer", environment: ["GLEAN_MODELS": tmp.path]) == nil)
    }

    @Test("one set, one scratch per thread: the same spans as on one thread")
    func threads() throws {
        let pack = try PatternSet.defaultPack()
        let texts = packRows.map(\.text) + DifferentialCorpus.subjects.lines.prefix(60)
        let expected = texts.map { pack.matches(in: $0).spans }
        let results = UnsafeMutableBufferPointer<[Span]>.allocate(capacity: texts.count)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let scratch = PatternScratch(for: pack)
            for i in stride(from: worker, to: texts.count, by: 4) {
                var spans: [Span] = []
                var warnings: [Warning] = []
                Array(texts[i].utf8).withUnsafeBufferPointer {
                    pack.findMatches(in: $0, lang: "en", scratch: scratch, into: &spans, warnings: &warnings)
                }
                results[i] = spans
            }
        }
        #expect(Array(results) == expected)
    }

    @Test("a fresh set compiles each anchored copy on first use, once, while threads race for it")
    func lazyCompileUnderThreads() throws {
        let reference = try PatternSet.defaultPack()
        let texts = packRows.map(\.text) + DifferentialCorpus.subjects.lines.prefix(60)
        let expected = texts.map { reference.matches(in: $0).spans }

        let fresh = try PatternSet.defaultPack()
        let copies = fresh.compiled.compactMap(\.anchored)
        #expect(!copies.isEmpty)
        #expect(copies.allSatisfy { !$0.isCompiled }, "building a set compiles no anchored copy")
        // Every worker runs every text in the same order, so the workers ask for the same
        // pieces' copies (and start automata, made at once here) at the same moments: the first
        // use of each is contended.
        let workers = 4
        let results = UnsafeMutableBufferPointer<[[Span]]>.allocate(capacity: workers)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let scratch = PatternScratch(for: fresh, automatonAfter: 0)
            var out: [[Span]] = []
            for text in texts {
                var spans: [Span] = []
                var warnings: [Warning] = []
                Array(text.utf8).withUnsafeBufferPointer {
                    fresh.findMatches(in: $0, lang: "en", scratch: scratch, into: &spans, warnings: &warnings)
                }
                out.append(spans)
            }
            results[worker] = out
        }
        for worker in 0..<workers { #expect(results[worker] == expected, "worker \(worker)") }
        #expect(copies.contains { $0.isCompiled }, "the texts' candidates compiled some copies")
    }
}

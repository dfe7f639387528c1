import Foundation
import Glean
import GleanTestSupport
import Testing

/// `--inline-errors` through the library: every non-blank input line gives exactly one output
/// line, in order; each failed record's line is the errors file's record of an ordinary run,
/// wrapped under `error`, with the id copied to the top level.
struct InlineErrorsTests {
    /// Runs with inline errors into `scratch/name`; the errors file must stay untouched.
    static func runInline(_ inputs: [String], in scratch: Scratch, name: String, threads: Int = 2,
                          configure: (inout AnnotatorConfiguration, inout PipelineOptions) -> Void = { _, _ in }) throws
        -> (summary: RunSummary, lines: [ArraySlice<UInt8>]) {
        var config = AnnotatorConfiguration()
        var options = PipelineOptions()
        options.inputs = try InputExpander.expand(inputs)
        options.output = .file(scratch.path(name))
        options.threads = threads
        options.inlineErrors = true
        configure(&config, &options)
        let summary = try Pipeline(annotator: try Annotator(configuration: config), options: options).run()
        #expect(!scratch.exists(PipelineRun.defaultErrorsName(name)), "--inline-errors wrote an errors file")
        return (summary, ShardingTests.lines(scratch.read(name) ?? []))
    }

    static func isInlineError(_ line: ArraySlice<UInt8>) throws -> [String: Any]? {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        guard object["tokens"] == nil, object["ents"] == nil, let error = object["error"] as? [String: Any] else { return nil }
        #expect(Set(object.keys).isSubset(of: ["error", "id", "doc"]), "\(object.keys)")
        return error
    }

    @Test(arguments: [1, 4])
    func oneLinePerNonBlankInputLineInPlace(threads: Int) throws {
        let scratch = Scratch("inline")
        let lines = PipelineTests.invarianceCorpus()
        let input = scratch.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        let ordinary = try PipelineRun.run([input], in: scratch, output: "plain.jsonl", errors: "plain.errors.jsonl")
        let inline = try Self.runInline([input], in: scratch, name: "inline.jsonl", threads: threads)
        let nonBlank = lines.filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
        #expect(inline.lines.count == nonBlank.count)
        #expect(inline.summary.statistics.errors == ordinary.summary.statistics.errors)
        #expect(inline.summary.statistics.errors > 5)

        // Walk the inline output: records in order equal the ordinary output, errors in order
        // equal the ordinary errors file (wrapped), and each error sits on its record's line.
        var records = ordinary.output.split(separator: 0x0A).makeIterator()
        var errors = ordinary.errorRecords.makeIterator()
        var lineOfRecord = lines.indices.filter { !lines[$0].allSatisfy { $0 == " " || $0 == "\t" } }.map { $0 + 1 }.makeIterator()
        for line in inline.lines {
            let nextLine = lineOfRecord.next()
            let inputLine = try #require(nextLine)
            if let error = try Self.isInlineError(line) {
                let nextError = errors.next()
                let expected = try #require(nextError)
                #expect(NSDictionary(dictionary: error).isEqual(to: expected.object), "\(error) vs \(expected.object)")
                #expect(error["line"] as? Int == inputLine)
                let object = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
                // The id is copied raw: a number stays a number.
                #expect((object["id"] as? NSObject) == (error["id"] as? NSObject))
                if let id = expected.raw("id") {
                    #expect(String(decoding: line, as: UTF8.self).hasSuffix(",\"id\":\(id)}"))
                }
            } else {
                #expect(line == (records.next() ?? []), "line \(inputLine)")
            }
        }
        #expect(records.next() == nil && errors.next() == nil)
    }

    @Test func idIsCopiedUnderTheIdFieldName() throws {
        let scratch = Scratch("inline-id")
        let input = scratch.write("in.jsonl", """
            {"doc":{"n":1},"text":"A good one."}
            {"doc":"x-2","text":17}
            {"text":"no id","id":3,"body":1}
            {"doc":"x-4"}

            """)
        let run = try Self.runInline([input], in: scratch, name: "out.jsonl") { config, _ in config.idField = "doc" }
        let text = run.lines.map { String(decoding: $0, as: UTF8.self) }
        #expect(text.count == 4)
        #expect(text[0].hasPrefix("{\"doc\":{\"n\":1},\"text\":\"A good one.\""))
        #expect(text[1].hasPrefix("{\"error\":{\"source\":") && text[1].hasSuffix("\"reason\":\"field \\\"text\\\" is a number, not a string\"},\"doc\":\"x-2\"}"))
        #expect(text[2].hasPrefix("{\"text\":\"no id\",\"id\":3,\"body\":1,\"tokens\":["))
        #expect(text[3].hasSuffix("\"reason\":\"no \\\"text\\\" field\"},\"doc\":\"x-4\"}"))
        #expect(try Self.isInlineError(run.lines[3])?["line"] as? Int == 4)
    }

    @Test func aRecordWithoutIdGetsNoIdKey() throws {
        let scratch = Scratch("inline-noid")
        let input = scratch.write("in.jsonl", "not json\n{\"text\":\"ok\"}\n")
        let run = try Self.runInline([input], in: scratch, name: "out.jsonl")
        #expect(String(decoding: run.lines[0], as: UTF8.self)
            == "{\"error\":{\"source\":\"\(input)\",\"line\":1,\"offset\":0,\"reason\":\"invalid JSON: not JSON (a record must be a JSON object) at byte 0 of the line\"}}")
    }

    @Test func aTruncatedInputEndsWithItsReadErrorInline() throws {
        let scratch = Scratch("inline-truncated")
        let plain = (0..<50).map { "{\"id\":\($0),\"text\":\"Record number \($0) of a file cut short.\"}" }.joined(separator: "\n") + "\n"
        scratch.write("full.jsonl", plain)
        let gz = try tool(["gzip", "-c", scratch.path("full.jsonl")])
        let input = scratch.write("cut.jsonl.gz", Array(gz.prefix(gz.count - 12)))
        let run = try Self.runInline([input], in: scratch, name: "out.jsonl")
        let last = try #require(run.lines.last)
        let error = try #require(try Self.isInlineError(last))
        #expect((error["reason"] as? String)?.contains("the rest of the file cannot be read") == true)
        #expect(run.summary.statistics.errors == 1)
    }
}

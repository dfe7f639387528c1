import Foundation
@testable import Glean
import GleanTestSupport
import Testing

/// Runs the real pipeline over `inputs` with the default models into `scratch/output`, in the
/// given output format, and returns the output's bytes.
enum PrinterRun {
    static func run(_ inputs: [String], in scratch: Scratch, output: String, format: OutputFormat,
                    emit: EmitSet = [.tokens, .sents, .ents, .spans], offsets: OffsetUnit = .codepoint,
                    threads: Int = 2, textLines: Bool = false) throws -> (bytes: [UInt8], summary: RunSummary) {
        var config = AnnotatorConfiguration()
        config.emit = emit
        config.offsets = offsets
        config.stages = try ModelSelection().stages()
        config.outputFormat = format
        var options = PipelineOptions()
        options.inputs = try InputExpander.expand(inputs)
        options.output = .file(scratch.path(output))
        options.errorsPath = scratch.path(output + ".errors")
        options.threads = threads
        options.textLines = textLines
        let summary = try Pipeline(annotator: try Annotator(configuration: config), options: options).run()
        return (scratch.read(output) ?? [], summary)
    }

    /// A corpus for printer tests: the sample corpus, records with an id of each JSON type,
    /// non-ASCII text (for offsets), text with CSV's special characters, and broken records.
    static func corpus(in scratch: Scratch) -> String {
        var lines: [String] = []
        let sample = repositoryRoot.appendingPathComponent("corpora/sample/news.jsonl").path
        if let data = FileManager.default.contents(atPath: sample) {
            lines += String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        lines += [
            #"{"id":"q\"1","text":"Flights from \"Sydney\", Australia, resumed on 3 March 2021 at 4pm."}"#,
            #"{"id":42,"text":"Café owners in Zürich paid $5 million\tto Acme Corp on Monday."}"#,
            #"{"text":"No id here: Paris, France, on 12 June 2020, cost 20%.\nA second line about Berlin."}"#,
            #"{"id":null,"text":"東京 and Sydney 🙂 on 1 May 2019, a tab\there, a backslash \\ there."}"#,
            #"{"id":7,"text":""}"#,
            #"{"id":8}"#,
            #"{"id":9,"text":"#,
        ]
        return scratch.write("corpus.jsonl", lines.joined(separator: "\n") + "\n")
    }
}

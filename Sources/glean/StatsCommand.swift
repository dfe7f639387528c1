import ArgumentParser
import Foundation
import Glean

/// `glean stats`: corpus statistics of annotated JSONL.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count documents, tokens, sentences and entities of annotated JSONL.",
        discussion: """
            Prints documents, tokens, sentences, entities per label and per source, the most \
            frequent entities per label, documents with warnings and errors (error records in the \
            input, plus the errors file beside it: out.errors.jsonl for out.jsonl). A record \
            without "ents" is annotated on the fly with the default models. --json writes exactly \
            one JSON document to stdout.
            """
    )

    @Argument(help: "Annotated JSONL (.gz/.zst too), or - for stdin.")
    var input: String = "-"

    @Option(help: "The errors file (default: INPUT.errors.jsonl beside the input, if present).")
    var errors: String?

    @Option(help: "Most frequent entities shown per label.")
    var top: Int = 5

    @Flag(help: "Write one JSON document to stdout instead of the table.")
    var json = false

    func validate() throws {
        if top < 0 { throw ValidationError("--top must not be negative") }
    }

    func run() throws {
        var stats = CorpusStatistics()
        let reader = try AnnotatedRecordReader(path: input)
        var worker: AnnotatorWorker?
        try reader.forEach(onError: { line, reason in
            stats.unreadableLines += 1
            if stats.unreadableLines <= 5 { warn("\(input):\(line): \(reason); line skipped") }
        }) { _, record in
            var r = record
            if r.entities == nil, !r.isErrorRecord {
                if worker == nil { worker = try defaultWorker() }
                var doc = Document(r.text, lang: r.lang ?? "en")
                try worker!.annotate(&doc)
                r = AnnotatedRecord(document: doc, id: record.id)
                r.warnings = record.warnings + r.warnings
            }
            stats.add(r)
            return true
        }
        if let path = errors ?? (input == "-" ? nil : CorpusStatistics.errorsPath(beside: input)), path != input {
            if let data = FileManager.default.contents(atPath: path) {
                stats.addErrors(data)
            } else if errors != nil {
                throw UsageError("\(path): cannot read the errors file")
            }
        }
        print(json ? stats.json(top: top) : stats.table(top: top), terminator: "")
    }
}

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
        if let errors, !FileManager.default.fileExists(atPath: errors) {
            throw UsageError("\(errors): no such errors file")
        }
        var unreadable = 0
        let stats = try CorpusStatistics.of(path: input, errorsPath: errors, makeAnnotator: defaultAnnotator,
                                            onUnreadable: { line, reason in
            unreadable += 1
            if unreadable <= 5 { warn("\(input):\(line): \(reason); line skipped") }
        })
        print(json ? stats.json(top: top) : stats.table(top: top), terminator: "")
    }
}

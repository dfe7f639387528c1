import ArgumentParser
import Foundation
import Glean

/// `glean render`: annotated JSONL in, one self-contained HTML page out.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write an HTML page that shows documents with their entities highlighted.",
        discussion: """
            INPUT is Glean's annotated JSONL (code-point offsets, the default of annotate); a \
            record without "ents" is annotated on the fly with the default models. The page is one \
            file with no external assets: a colour per label, a legend that filters by label, \
            kb_id, source and pattern name or alias on hover. Document text is always escaped.

            Examples:
              glean annotate corpus.jsonl -o out.jsonl && glean render out.jsonl -o page.html
              glean render out.jsonl -o page.html --limit 50 --labels GPE,DATE --sentences
            """
    )

    @Argument(help: "Annotated JSONL (.gz/.zst too), or - for stdin.")
    var input: String = "-"

    @Option(name: .shortAndLong, help: "The HTML file to write (- for stdout).")
    var output: String = "-"

    @Option(help: "Show only the first N documents.")
    var limit: Int = 1000

    @Option(help: "Show only entities with these labels, comma-separated (e.g. GPE,DATE).")
    var labels: String?

    @Flag(help: "Mark sentence boundaries (from the records' \"sents\").")
    var sentences = false

    @Flag(name: .shortAndLong, help: "No summary on stderr.")
    var quiet = false

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() throws {
        var options = RenderOptions()
        options.labels = labels.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }) }
        options.sentences = sentences
        options.title = input == "-" ? "stdin" : (input as NSString).lastPathComponent
        var page = RenderPage(options: options)
        let reader = try AnnotatedRecordReader(path: input, makeAnnotator: defaultAnnotator)
        var unreadable = 0
        var labelsSeen = Set<String>()
        try reader.forEach(onError: { line, reason in
            unreadable += 1
            if unreadable <= 5 { warn("\(input):\(line): \(reason); line skipped") }
        }) { _, record in
            guard page.documents < limit else { return false }
            if record.isErrorRecord { return true }
            for e in record.entities ?? [] { labelsSeen.insert(e.label) }
            page.add(record)
            return true
        }
        if let wanted = options.labels {
            let unknown = wanted.subtracting(labelsSeen).sorted()
            if !unknown.isEmpty {
                warn("warning: --labels \(unknown.joined(separator: ",")): no entity has \(unknown.count == 1 ? "this label" : "these labels") in \(input) (labels found: \(labelsSeen.sorted().joined(separator: ", ")))")
            }
        }
        let html = Data(page.html().utf8)
        if output == "-" {
            FileHandle.standardOutput.write(html)
        } else {
            try html.write(to: URL(fileURLWithPath: output), options: .atomic)
        }
        if !quiet {
            warn("rendered \(page.documents) document\(page.documents == 1 ? "" : "s") with \(page.entities) entities to \(output == "-" ? "stdout" : output)"
                 + (unreadable > 0 ? "; \(unreadable) unreadable line\(unreadable == 1 ? "" : "s") skipped" : ""))
        }
    }
}

/// `Annotator.default()`, for records that have no `ents` yet.
func defaultAnnotator() throws -> Annotator {
    do {
        return try Annotator.default()
    } catch let error as ConfigurationError {
        throw UsageError("records without \"ents\" are annotated with the default models, and \(error)")
    }
}

/// A line on stderr, prefixed with `glean: `.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("glean: \(message)\n".utf8))
}
